import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllChildren, runCli } from './support/cli-process.js';
import { tempDir } from './support/temp-dir.js';

/**
 * `tapback lines` with `--provider bluebubbles`, as users run it: the spawned binary on its own
 * SQLite file. The server password is stored sealed and shown masked.
 */
describe('tapback lines with a BlueBubbles line', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  const PASSWORD = 'bbPw-93kQz';

  beforeAll(async () => {
    dir = tempDir('tapback-cli-bluebubbles-');
    env = { DATABASE_URL: `sqlite:${dir.path}/cli.db` };
    const r = await runCli(['accounts', 'create', '--email', 'ops@example.com'], env);
    expect(r.code, r.stderr).toBe(0);
  });

  afterAll(async () => {
    await killAllChildren();
    dir.cleanup();
  });

  async function json<T>(...args: string[]): Promise<T> {
    const r = await runCli([...args, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  }

  it('adds a line with --bluebubbles-url/--bluebubbles-password and never shows or stores the password in clear', async () => {
    const added = await json<{ provider: string }>(
      'lines',
      'add',
      '--account',
      'ops@example.com',
      '--number',
      '+15550003000',
      '--provider',
      'bluebubbles',
      '--bluebubbles-url',
      'https://mac.example.net:1234',
      '--bluebubbles-password',
      PASSWORD,
    );
    expect(added.provider).toBe('bluebubbles');
    const listed = await json<{ number: string; settings: Record<string, string> }[]>('lines', 'list');
    expect(listed.find((l) => l.number === '+15550003000')?.settings).toEqual({
      url: 'https://mac.example.net:1234',
      password: '****',
    });
    const human = await runCli(['lines', 'list'], env);
    expect(human.stdout).toContain('bluebubbles');
    expect(human.stdout).not.toContain(PASSWORD);
    for (const file of ['cli.db', 'cli.db-wal']) {
      if (!existsSync(`${dir.path}/${file}`)) continue;
      expect(readFileSync(`${dir.path}/${file}`, 'latin1'), file).not.toContain(PASSWORD);
    }
  });

  it('moves a password given inside the URL out of it on `lines set`', async () => {
    await json(
      'lines',
      'set',
      '--number',
      '+15550003000',
      '--bluebubbles-url',
      `http://10.0.0.5:1234?password=${PASSWORD}`,
    );
    const listed = await json<{ number: string; settings: Record<string, string> }[]>('lines', 'list');
    expect(listed.find((l) => l.number === '+15550003000')?.settings).toEqual({
      url: 'http://10.0.0.5:1234',
      password: '****',
    });
  });

  it('refuses missing or misplaced BlueBubbles options naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--provider', 'bluebubbles'], /--provider bluebubbles needs --bluebubbles-url/],
      [['--provider', 'bluebubbles', '--bluebubbles-url', 'http://mac:1234'], /--bluebubbles-password: password: /],
      [
        ['--provider', 'bluebubbles', '--bluebubbles-url', 'ftp://mac', '--bluebubbles-password', 'x'],
        /--bluebubbles-url: url: the scheme must be http:\/\/ or https:\/\//,
      ],
      [['--provider', 'sandbox', '--bluebubbles-password', 'x'], /are for --provider bluebubbles/],
    ];
    for (const [extra, message] of cases) {
      const r = await runCli(
        ['lines', 'add', '--account', 'ops@example.com', '--number', '+15550003001', ...extra],
        env,
      );
      expect({ code: r.code, stdout: r.stdout }, r.stderr).toEqual({ code: 2, stdout: '' });
      expect(r.stderr).toMatch(message);
    }
  });
});
