import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, killAllChildren, runCli, startServerProcess } from './support/cli-process.js';
import { tempDir } from './support/temp-dir.js';

/** The `tapback` binary as users run it: spawned, on its own SQLite file, output and exit code checked. */
describe('tapback CLI', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;

  beforeAll(() => {
    dir = tempDir('tapback-cli-');
    env = { DATABASE_URL: `sqlite:${dir.path}/cli.db` };
  });

  afterAll(async () => {
    await killAllChildren();
    dir.cleanup();
  });

  const cli = (...args: string[]) => runCli(args, env);

  async function json<T>(...args: string[]): Promise<T> {
    const r = await cli(...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  }

  /** A failed command: exit code 2, nothing on stdout, `message` on stderr. */
  async function expectMistake(args: string[], message: RegExp, extraEnv: Record<string, string> = {}) {
    const r = await runCli(args, { ...env, ...extraEnv });
    expect({ code: r.code, stdout: r.stdout }, r.stderr).toEqual({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }

  describe('accounts', () => {
    it('creates an account and prints it, as JSON with --json', async () => {
      const account = await json<Record<string, unknown>>('accounts', 'create', '--email', 'ops@example.com');
      expect(account).toMatchObject({ email: 'ops@example.com', plan: 'dedicated', id: expect.any(Number) });
      const human = await cli('accounts', 'create', '--email', 'human@example.com', '--plan', 'blue');
      expect(human.code).toBe(0);
      expect(human.stdout).toBe('Created account human@example.com (plan blue)\n');
      const list = await json<{ email: string }[]>('accounts', 'list');
      expect(list.map((a) => a.email)).toEqual(expect.arrayContaining(['ops@example.com', 'human@example.com']));
    });

    it('refuses a duplicate or malformed email with exit code 2 and a message', async () => {
      await json('accounts', 'create', '--email', 'dup@example.com');
      await Promise.all([
        expectMistake(
          ['accounts', 'create', '--email', 'dup@example.com'],
          /^tapback: account dup@example.com already exists\n$/,
        ),
        expectMistake(['accounts', 'create', '--email', 'not-an-email'], /"not-an-email" is not an email address/),
      ]);
    });
  });

  describe('keys', () => {
    it('creates a key pair and prints the secret once; lists never show secrets or digests', async () => {
      await json('accounts', 'create', '--email', 'keys@example.com');
      const key = await json<Record<string, unknown>>(
        'keys',
        'create',
        '--account',
        'keys@example.com',
        '--label',
        'ci',
      );
      expect(key).toMatchObject({
        keyId: expect.stringMatching(/^[0-9a-f]{32}$/),
        secret: expect.stringMatching(/^[0-9a-f]{64}$/),
        accountEmail: 'keys@example.com',
        label: 'ci',
        revokedAt: null,
      });
      expect(key).not.toHaveProperty('secretDigest');
      const secret = String(key.secret);
      const digest = createHash('sha256').update(secret).digest('hex');

      const listed = await cli('keys', 'list', '--account', 'keys@example.com', '--json');
      const keys = JSON.parse(listed.stdout) as Record<string, unknown>[];
      expect(keys.map((k) => k.keyId)).toContain(key.keyId);
      expect(keys).toHaveLength(1);
      for (const k of keys) {
        expect(Object.keys(k).sort()).toEqual(
          ['accountEmail', 'accountId', 'accountPlan', 'createdAt', 'keyId', 'label', 'revokedAt'].sort(),
        );
      }
      const everything = await cli('keys', 'list');
      for (const output of [listed.stdout, everything.stdout]) {
        expect(output).not.toContain(secret);
        expect(output).not.toContain(digest);
      }
      expect(everything.stdout).toContain(`${String(key.keyId)}\tkeys@example.com\tactive\tci`);
      expect(everything.stdout.split('\n')[0]).toBe('KEY ID\tACCOUNT\tSTATE\tLABEL');
      // Times print as the API shows them, not as epoch milliseconds.
      expect(keys[0]?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it('revokes a key once; revoking it again exits 2', async () => {
      await json('accounts', 'create', '--email', 'revoke@example.com');
      const key = await json<{ keyId: string }>('keys', 'create', '--account', 'revoke@example.com');
      expect(await json('keys', 'revoke', key.keyId)).toEqual({ keyId: key.keyId, revoked: true });
      await expectMistake(['keys', 'revoke', key.keyId], new RegExp(`no active key ${key.keyId}`));
    });
  });

  describe('lines', () => {
    it('adds a sandbox line by default, and with --provider sandbox', async () => {
      await json('accounts', 'create', '--email', 'lines@example.com');
      const line = await json<Record<string, unknown>>(
        'lines',
        'add',
        '--account',
        'lines@example.com',
        '--number',
        '+12025550123',
      );
      expect(line).toMatchObject({ number: '+12025550123', provider: 'sandbox', accountEmail: 'lines@example.com' });
      const explicit = await cli(
        'lines',
        'add',
        '--account',
        'lines@example.com',
        '--number',
        '+12025550124',
        '--provider',
        'sandbox',
      );
      expect(explicit.stdout).toBe('Added line +12025550124 (sandbox) to lines@example.com\n');
      const listed = await json<{ number: string }[]>('lines', 'list', '--account', 'lines@example.com');
      expect(listed.map((l) => l.number)).toEqual(['+12025550123', '+12025550124']);
    });

    it('rejects malformed numbers, a number any account has, unknown providers and unknown accounts', async () => {
      await Promise.all([
        json('accounts', 'create', '--email', 'lines2@example.com').then(() =>
          json('lines', 'add', '--account', 'lines2@example.com', '--number', '+12025550199'),
        ),
        json('accounts', 'create', '--email', 'lines3@example.com'),
      ]);
      const add = (account: string, number: string, ...rest: string[]) => [
        'lines',
        'add',
        '--account',
        account,
        '--number',
        number,
        ...rest,
      ];
      await Promise.all([
        expectMistake(add('lines2@example.com', '1 202 555 0100'), /must be an E\.164 phone number/),
        // The same number for another account: lines belong to exactly one account.
        expectMistake(
          add('lines3@example.com', '+12025550199'),
          /line \+12025550199 already belongs to lines2@example\.com/,
        ),
        expectMistake(add('lines2@example.com', '+12025550100', '--provider', 'pigeon'), /unknown provider "pigeon"/),
        expectMistake(add('nobody@example.com', '+12025550100'), /no account nobody@example\.com/),
      ]);
    });
  });

  describe('mistakes', () => {
    it('exits 2 with a message on a missing option or argument, an unknown option or an unknown account', async () => {
      await Promise.all([
        expectMistake(['accounts', 'create'], /required option '--email <email>' not specified/),
        expectMistake(['keys', 'revoke'], /missing required argument 'key-id'/),
        expectMistake(['keys', 'create', '--account', 'a@example.com', '--bogus'], /unknown option '--bogus'/),
        expectMistake(['keys', 'create', '--account', 'ghost@example.com'], /no account ghost@example\.com/),
      ]);
    });

    it('exits 2 naming the setting when the configuration is invalid', async () => {
      await expectMistake(['accounts', 'list'], /DATABASE_URL/, { DATABASE_URL: 'mysql://localhost/tapback' });
    });
  });

  it('refuses a port already in use with one line naming the port and the setting, exit code 2', async () => {
    const first = await startServerProcess({ ...env, TAPBACK_LOG_LEVEL: 'silent' });
    try {
      const port = new URL(first.url).port;
      const second = await runCli(['serve'], { ...env, TAPBACK_PORT: port, TAPBACK_HOST: '127.0.0.1' });
      expect(second.code).toBe(2);
      expect(second.stderr.trim()).toBe(
        `tapback: port ${port} on 127.0.0.1 is already in use: stop what holds it, or choose another port with TAPBACK_PORT or --port`,
      );
    } finally {
      first.kill('SIGTERM');
      await first.exited;
    }
  });

  it('creates keys and lines that a running server on the same database honours at once', async () => {
    await json('accounts', 'create', '--email', 'live@example.com');
    const server = await startServerProcess({ ...env, TAPBACK_LOG_LEVEL: 'silent' });
    try {
      const key = await json<{ keyId: string; secret: string }>('keys', 'create', '--account', 'live@example.com');
      await json('lines', 'add', '--account', 'live@example.com', '--number', '+12025550777');
      const auth = { 'sb-api-key-id': key.keyId, 'sb-api-secret-key': key.secret };

      const list = await fetch(`${server.url}/api/v2/messages`, { headers: auth });
      expect(list.status).toBe(200);
      const sent = await fetch(`${server.url}/api/send-message`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ number: '+19998887777', from_number: '+12025550777', content: 'from the CLI' }),
      });
      expect(sent.status).toBe(200);
      expect(await sent.json()).toMatchObject({ status: 'QUEUED', accountEmail: 'live@example.com' });

      await json('keys', 'revoke', key.keyId);
      const revoked = await fetch(`${server.url}/api/v2/messages`, { headers: auth });
      expect(revoked.status).toBe(401);
    } finally {
      server.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
    }
  }, 30_000);

  it('explains itself when run alone, and suggests the command a typo meant', async () => {
    const alone = await runCli([], env);
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stdout).toMatch(/^Usage: tapback /);
    const typo = await runCli(['servr'], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'servr'/);
    expect(typo.stderr).toMatch(/Did you mean serve\?/);
  });

  it('`npx tapback --help` works from the repository root', async () => {
    const r = await runCli(
      ['tapback', '--help'],
      { npm_config_update_notifier: 'false' },
      { command: 'npx', cwd: REPO_ROOT },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: tapback /);
    for (const command of ['serve', 'accounts', 'keys', 'lines'])
      expect(r.stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
  }, 30_000);
});
