import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllChildren, runCli } from './support/cli-process.js';
import { tempDir } from './support/temp-dir.js';

/** `tapback lines add/set --fallback-line/--fallback-after`, as users run them: the spawned binary. */
describe('tapback lines with an SMS fallback', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  const IM = '+15550005000';
  const SMPP = '+15550005001';
  const OTHER = '+15550005002';

  interface Listed {
    number: string;
    fallbackLine: string | null;
    fallbackAfterMs: number | null;
  }

  beforeAll(async () => {
    dir = tempDir('tapback-cli-routes-');
    env = { DATABASE_URL: `sqlite:${dir.path}/cli.db` };
    for (const email of ['ops@example.com', 'other@example.com']) {
      const r = await runCli(['accounts', 'create', '--email', email], env);
      expect(r.code, r.stderr).toBe(0);
    }
    const smpp = ['--provider', 'smpp', '--smpp-url', 'smpp://tapback:pw@smsc.example.net:2775'];
    for (const [account, number, extra] of [
      ['ops@example.com', SMPP, smpp],
      ['ops@example.com', IM, []],
      ['other@example.com', OTHER, smpp],
    ] as const) {
      const r = await runCli(['lines', 'add', '--account', account, '--number', number, ...extra], env);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);

  afterAll(async () => {
    await killAllChildren();
    dir.cleanup();
  });

  async function json<T>(...args: string[]): Promise<T> {
    const r = await runCli([...args, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  }
  const listed = async (number: string): Promise<Listed | undefined> =>
    (await json<Listed[]>('lines', 'list')).find((l) => l.number === number);

  // Each spawned command takes seconds on a loaded machine.
  const SLOW = 120_000;

  it('sets, shows, changes and clears a line’s fallback line and window', { timeout: SLOW }, async () => {
    const set = await json<Listed>('lines', 'set', '--number', IM, '--fallback-line', SMPP, '--fallback-after', '2m');
    expect(set).toMatchObject({ number: IM, fallbackLine: SMPP, fallbackAfterMs: 120_000 });
    expect(await listed(IM)).toMatchObject({ fallbackLine: SMPP, fallbackAfterMs: 120_000 });
    const human = await runCli(['lines', 'list'], env);
    expect(human.stdout).toMatch(new RegExp(`^\\${IM}\\s.*\\${SMPP} after 120s`, 'm'));
    await json('lines', 'set', '--number', IM, '--fallback-after', '1500ms');
    expect(await listed(IM)).toMatchObject({ fallbackLine: SMPP, fallbackAfterMs: 1500 });
    await json('lines', 'set', '--number', IM, '--fallback-line', 'none');
    expect(await listed(IM)).toMatchObject({ fallbackLine: null, fallbackAfterMs: 1500 });
  });

  it('takes the fallback when adding a line', { timeout: SLOW }, async () => {
    const added = await json<Listed>(
      'lines',
      'add',
      '--account',
      'ops@example.com',
      '--number',
      '+15550005003',
      '--fallback-line',
      SMPP,
      '--fallback-after',
      '90s',
    );
    expect(added).toMatchObject({ fallbackLine: SMPP, fallbackAfterMs: 90_000 });
  });

  it(
    'refuses a fallback line that is missing, another account’s, the line itself or carries no SMS',
    { timeout: SLOW },
    async () => {
      const refuse = async (args: string[], message: RegExp): Promise<void> => {
        const r = await runCli(['lines', 'set', '--number', SMPP, ...args], env);
        expect({ code: r.code, stdout: r.stdout }, r.stderr).toEqual({ code: 2, stdout: '' });
        expect(r.stderr).toMatch(message);
      };
      await refuse(
        ['--fallback-line', '+15559999999'],
        /--fallback-line: no line \+15559999999 in account ops@example.com/,
      );
      await refuse(['--fallback-line', OTHER], /--fallback-line: no line \+15550005002 in account ops@example.com/);
      await refuse(['--fallback-line', SMPP], /--fallback-line: a line cannot be its own fallback line/);
      const bluebubbles = ['--provider', 'bluebubbles', '--bluebubbles-url', 'http://127.0.0.1:1234'];
      const added = await runCli(
        [
          'lines',
          'add',
          '--account',
          'ops@example.com',
          '--number',
          '+15550005004',
          ...bluebubbles,
          '--bluebubbles-password',
          'pw',
        ],
        env,
      );
      expect(added.code, added.stderr).toBe(0);
      await refuse(
        ['--fallback-line', '+15550005004'],
        /--fallback-line: line \+15550005004 \(bluebubbles\) does not carry SMS/,
      );
      const sms = await runCli(['lines', 'set', '--number', IM, '--fallback-after', 'soon'], env);
      expect(sms.code).toBe(2);
      expect(sms.stderr).toMatch(/--fallback-after: "soon" is not a duration/);
    },
  );
});
