import { readFileSync, statSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ServerProcess, killAllChildren, startServerProcess } from './support/cli-process.js';
import { tempDir } from './support/temp-dir.js';

/**
 * What a real `tapback serve` leaves on disk and prints: the data directory and files only the
 * owner can read, signing secrets sealed, and an API secret printed only by the start that
 * generated it.
 */

const modeOf = (path: string): number => statSync(path).mode & 0o777;

async function stop(server: ServerProcess): Promise<void> {
  server.kill('SIGTERM');
  await server.exited;
}

describe('tapback serve: secrets at rest and in the banner', () => {
  let dir: ReturnType<typeof tempDir>;

  beforeEach(() => {
    dir = tempDir('tapback-at-rest-');
  });
  afterEach(async () => {
    await killAllChildren();
    dir.cleanup();
  });
  afterAll(killAllChildren);

  it('creates the data directory 0700 and the database, -wal, -shm and key file 0600; no whsec_ on disk', async () => {
    const data = `${dir.path}/state/data`;
    const db = `${data}/tapback.db`;
    const server = await startServerProcess({ DATABASE_URL: `sqlite:${db}` });
    const out = server.output().stdout;
    const auth = {
      'sb-api-key-id': /sb-api-key-id:\s+(\S+)/.exec(out)![1]!,
      'sb-api-secret-key': /sb-api-secret-key:\s+(\S+)/.exec(out)![1]!,
    };
    const res = await fetch(`${server.url}/api/account/webhooks`, { headers: auth });
    expect(res.status).toBe(200);
    const secret = ((await res.json()) as { signing_secret: string }).signing_secret;
    expect(secret).toMatch(/^whsec_/);
    for (const d of [`${dir.path}/state`, data]) expect(modeOf(d).toString(8)).toBe('700');
    for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}.key`]) expect([f, modeOf(f).toString(8)]).toEqual([f, '600']);
    // While running, the secret's row may sit in the WAL; after a clean stop, in the database file.
    const onDisk = () =>
      [db, `${db}-wal`]
        .map((f) => {
          try {
            return readFileSync(f).toString('latin1');
          } catch {
            return '';
          }
        })
        .join('');
    for (const text of [onDisk(), (await stop(server), onDisk())]) {
      expect(text).not.toContain('whsec_');
      expect(text).not.toContain(secret.slice('whsec_'.length));
    }
  });

  it('prints a generated API secret on the start that made it, and never again', async () => {
    const env = { DATABASE_URL: `sqlite:${dir.path}/tapback.db` };
    const first = await startServerProcess(env);
    const secret = /sb-api-secret-key:\s+(\S+)/.exec(first.output().stdout)?.[1];
    expect(secret).toMatch(/^\S{32,}$/);
    await stop(first);
    const second = await startServerProcess(env);
    expect(second.output().stdout).not.toContain(secret);
    await stop(second);
  });

  it('never prints a secret fixed by TAPBACK_BOOTSTRAP_API_SECRET, which still authenticates', async () => {
    const secret = 'fixed-bootstrap-secret-0001-abcdefghij';
    const env = {
      DATABASE_URL: `sqlite:${dir.path}/tapback.db`,
      TAPBACK_BOOTSTRAP_API_KEY_ID: 'fixed-key-0001',
      TAPBACK_BOOTSTRAP_API_SECRET: secret,
    };
    for (let start = 0; start < 2; start++) {
      const server = await startServerProcess(env);
      const { stdout, stderr } = server.output();
      expect(stdout).toContain('sb-api-key-id:     fixed-key-0001');
      expect(stdout + stderr).not.toContain(secret);
      const res = await fetch(`${server.url}/api/account/webhooks`, {
        headers: { 'sb-api-key-id': 'fixed-key-0001', 'sb-api-secret-key': secret },
      });
      expect(res.status).toBe(200);
      await stop(server);
    }
  });
});
