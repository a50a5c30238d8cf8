import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killAllChildren, runCli } from './support/cli-process.js';
import { tempDir } from './support/temp-dir.js';

/**
 * `tapback lines` with real-network providers, as users run it: the spawned binary on its own
 * SQLite file. Credentials are stored sealed and shown masked.
 */
describe('tapback lines with providers', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  const PASSWORD = 'pw7Zq9x';
  const URL_WITH_PASSWORD = `smpp://tapback:${PASSWORD}@smsc.example.net:2775?window=5&rate=20`;

  beforeAll(async () => {
    dir = tempDir('tapback-cli-lines-');
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

  async function mistake(args: string[], message: RegExp): Promise<void> {
    const r = await runCli(args, env);
    expect({ code: r.code, stdout: r.stdout }, r.stderr).toEqual({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(message);
  }

  it('adds an SMPP line, lists it with the password masked, and keeps no plaintext password in the file', async () => {
    const added = await json<{ number: string; provider: string }>(
      'lines',
      'add',
      '--account',
      'ops@example.com',
      '--number',
      '+15550002000',
      '--provider',
      'smpp',
      '--smpp-url',
      URL_WITH_PASSWORD,
    );
    expect(added).toMatchObject({ number: '+15550002000', provider: 'smpp' });
    const listed = await json<{ number: string; settings: { url: string }; status: string }[]>('lines', 'list');
    const line = listed.find((l) => l.number === '+15550002000');
    expect(line?.settings.url).toBe('smpp://tapback:****@smsc.example.net:2775?window=5&rate=20');
    expect(line?.status).toBe('UNKNOWN');
    const human = await runCli(['lines', 'list'], env);
    expect(human.stdout).toMatch(/^NUMBER\s+PROVIDER\s+STATUS\s+ACCOUNT\s+SMS FALLBACK\s+SETTINGS\s+LAST ERROR$/m);
    expect(human.stdout).not.toContain(PASSWORD);
    for (const file of ['cli.db', 'cli.db-wal']) {
      if (!existsSync(`${dir.path}/${file}`)) continue;
      const bytes = readFileSync(`${dir.path}/${file}`, 'latin1');
      expect(bytes, file).not.toContain(PASSWORD);
      expect(bytes, file).not.toContain('smsc.example.net');
    }
  });

  it('changes a line’s settings and provider with `lines set`', async () => {
    await json('lines', 'set', '--number', '+15550002000', '--smpp-url', 'smpps://tapback:other@smsc2.example.net');
    let listed = await json<{ number: string; provider: string; settings: { url?: string } }[]>('lines', 'list');
    expect(listed.find((l) => l.number === '+15550002000')?.settings.url).toBe(
      'smpps://tapback:****@smsc2.example.net',
    );
    await json('lines', 'set', '--number', '+15550002000', '--provider', 'sandbox');
    listed = await json('lines', 'list');
    expect(listed.find((l) => l.number === '+15550002000')).toMatchObject({ provider: 'sandbox', settings: {} });
  });

  it('refuses bad SMPP settings naming the option, and a change with nothing to change', async () => {
    await Promise.all([
      mistake(
        ['lines', 'add', '--account', 'ops@example.com', '--number', '+15550002001', '--provider', 'smpp'],
        /--provider smpp needs --smpp-url/,
      ),
      mistake(
        [
          'lines',
          'add',
          '--account',
          'ops@example.com',
          '--number',
          '+15550002001',
          '--provider',
          'smpp',
          '--smpp-url',
          'smpp://a:b@h?windw=3',
        ],
        /--smpp-url: .*unknown option windw/,
      ),
      mistake(['lines', 'set', '--number', '+15550002000'], /nothing to change/),
      mistake(['lines', 'set', '--number', '+15550009999', '--provider', 'sandbox'], /no line \+15550009999/),
    ]);
  });

  it('removes a line, and refuses an unknown one', async () => {
    await json('lines', 'add', '--account', 'ops@example.com', '--number', '+15550002002');
    expect(await json('lines', 'remove', '--number', '+15550002002')).toEqual({
      number: '+15550002002',
      removed: true,
    });
    const listed = await json<{ number: string }[]>('lines', 'list');
    expect(listed.map((l) => l.number)).not.toContain('+15550002002');
    await mistake(['lines', 'remove', '--number', '+15550002002'], /no line \+15550002002/);
  });
});
