import { describe, expect, it } from 'vitest';
import { HAS_POSTGRES, SERVER_BACKENDS, TEST_SECRET_KEY, postgresServerBackend } from './support/backends.js';
import { startTestServer } from './support/test-server.js';

/** Sessions live in the database: a restart keeps them, and on PostgreSQL every process shares them. */

async function signIn(url: string, auth: Record<string, string>): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(`${url}/api/session`, { method: 'POST', headers: auth });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { csrf_token: string };
  return { cookie: (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: body.csrf_token };
}

const status = async (url: string, cookie: string) =>
  (await fetch(`${url}/api/v2/messages`, { headers: { cookie } })).status;

describe.each(SERVER_BACKENDS)('web inbox sessions across processes ($name)', (backend) => {
  it('keeps a session over a restart', async () => {
    const db = await backend.createDatabase();
    const env = { DATABASE_URL: db.url, TAPBACK_SECRET_KEY: TEST_SECRET_KEY };
    try {
      const first = await startTestServer(env);
      const session = await signIn(first.url, first.auth);
      await first.close();
      const second = await startTestServer(env);
      try {
        expect(await status(second.url, session.cookie)).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      await db.dispose();
    }
  });
});

describe.runIf(HAS_POSTGRES)('web inbox sessions on several PostgreSQL processes', () => {
  it('accepts a session on every process, and a sign-out on one ends it on all', async () => {
    const db = await postgresServerBackend.createDatabase();
    const env = { DATABASE_URL: db.url, TAPBACK_SECRET_KEY: TEST_SECRET_KEY };
    const a = await startTestServer(env);
    const b = await startTestServer(env);
    try {
      const session = await signIn(a.url, a.auth);
      expect(await status(b.url, session.cookie)).toBe(200);
      const out = await fetch(`${b.url}/api/session`, {
        method: 'DELETE',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
      });
      expect(out.status).toBe(200);
      expect(await status(a.url, session.cookie)).toBe(401);
    } finally {
      await b.close();
      await a.close();
      await db.dispose();
    }
  });
});
