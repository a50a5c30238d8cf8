import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/cli-process.js';
import { tempDir } from './support/temp-dir.js';

/**
 * The README's quick start, as a newcomer runs it: `npm start` on the embedded defaults prints the
 * bootstrap credentials and a curl command, and a message sent with them reaches DELIVERED.
 * (Only the port and the database file are moved, so the test neither collides with a running
 * server nor writes into the repository.)
 */
describe('quick start', () => {
  const dir = tempDir();
  let child: ChildProcess | undefined;

  afterAll(() => {
    // npm runs the server through a shell: stop the whole process group.
    if (child?.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    dir.cleanup();
  });

  it('`npm start` serves, prints working credentials, and a sent message is DELIVERED', async () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('TAPBACK_') && k !== 'DATABASE_URL'),
    );
    child = spawn('npm', ['start', '--silent'], {
      cwd: REPO_ROOT,
      env: { ...env, TAPBACK_PORT: '0', DATABASE_URL: `sqlite:${dir.path}/tapback.db`, TAPBACK_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
    const deadline = Date.now() + 60_000;
    while (!/curl -s '(http:\/\/[^/]+)\/api\/status/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).toContain('Created the default account dev@tapback.local');
    const url = /Tapback listening on (http:\/\/\S+)/.exec(out)?.[1];
    const keyId = /sb-api-key-id:\s+(\S+)/.exec(out)?.[1];
    const secret = /sb-api-secret-key:\s+(\S+)/.exec(out)?.[1];
    const line = /sandbox line:\s+(\S+)/.exec(out)?.[1];
    expect([url, keyId, secret, line].every((v) => v !== undefined)).toBe(true);
    const auth = { 'sb-api-key-id': keyId!, 'sb-api-secret-key': secret! };

    const sent = await fetch(`${url}/api/send-message`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ number: '+19998887777', from_number: line, content: 'Hello from Tapback' }),
    });
    expect(sent.status).toBe(200);
    const { message_handle: handle } = (await sent.json()) as { message_handle: string };
    let status = '';
    for (let i = 0; i < 100 && status !== 'DELIVERED'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(`${url}/api/status?handle=${handle}`, { headers: auth });
      status = ((await res.json()) as { status: string }).status;
    }
    expect(status).toBe('DELIVERED');

    // Stopping `npm start` stops the server: npm passes SIGTERM to its script, whose shell `exec`s
    // the server, so no node process is left holding the port.
    process.kill(child.pid!, 'SIGTERM');
    let stopped = false;
    for (let i = 0; i < 200 && !stopped; i++) {
      await new Promise((r) => setTimeout(r, 50));
      stopped = await fetch(`${url}/api/status?handle=${handle}`, { headers: auth }).then(
        () => false,
        () => true,
      );
    }
    expect(stopped).toBe(true);
  }, 90_000);
});
