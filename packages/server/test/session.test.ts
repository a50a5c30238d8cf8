import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInLinks } from '../src/accounts/sign-in-links.js';
import { addTenant } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { type TestServer, startBackendServer } from './support/test-server.js';

/**
 * The web inbox's sessions over real HTTP: signing in (key pair, one-time link), the cookie as
 * authentication of the API and the event stream, the CSRF rules, and every way a session ends.
 */

const CONTACT = '+19998887777';
const TTL_MS = 60 * 60_000;

interface Session {
  /** The `Cookie` request header that carries it. */
  cookie: string;
  csrf: string;
  setCookie: string;
}

describe.each(SERVER_BACKENDS)('web inbox sessions ($name)', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual', TAPBACK_SESSION_TTL_MS: String(TTL_MS) });
  });
  afterAll(() => server.close());

  const url = (path: string) => `${server.url}${path}`;

  async function signIn(headers: Record<string, string> = server.auth): Promise<Session> {
    const response = await fetch(url('/api/session'), { method: 'POST', headers });
    expect(response.status).toBe(200);
    return sessionOf(response);
  }

  async function sessionOf(response: Response): Promise<Session> {
    const setCookie = response.headers.get('set-cookie') ?? '';
    const body = (await response.json()) as { csrf_token: string };
    return { cookie: setCookie.split(';')[0] ?? '', csrf: body.csrf_token, setCookie };
  }

  async function sendWith(headers: Record<string, string>, content: string): Promise<Response> {
    return fetch(url('/api/send-message'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ number: CONTACT, from_number: server.line, content }),
    });
  }

  /** The bootstrap account's messages with this content, listed with its key pair. */
  async function sentWith(content: string): Promise<number> {
    const response = await fetch(url(`/api/v2/messages?limit=100`), { headers: server.auth });
    const body = (await response.json()) as { data: { content: string }[] };
    return body.data.filter((m) => m.content === content).length;
  }

  const advance = async (ms: number) => {
    const response = await fetch(url('/sandbox/clock/advance'), {
      method: 'POST',
      headers: { ...server.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ms }),
    });
    expect(response.status).toBe(200);
  };

  const exchange = (code: string, headers: Record<string, string> = {}) =>
    fetch(url('/api/session/link'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ code }),
    });
  const mintCode = async (email = 'dev@tapback.local'): Promise<string> => {
    const minted = await new SignInLinks({ store: server.server.store, clock: server.server.clock }).mint(email);
    if (!('code' in minted)) throw new Error(`no code for ${email}`);
    return minted.code;
  };

  // First: the clock-moving tests below would expire the start's code.
  it('prints a one-time link on start whose code signs in once', async () => {
    const link = server.server.inboxLink ?? '';
    expect(link).toMatch(new RegExp(`^${server.url}/inbox/#sign-in=[0-9a-f]{64}$`));
    const code = link.split('#sign-in=')[1] ?? '';
    const first = await exchange(code);
    expect(first.status).toBe(200);
    const session = await sessionOf(first);
    expect(session.setCookie).toMatch(
      /^tapback_session=tbs_[0-9a-f]{64}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect((await fetch(url('/api/v2/messages'), { headers: { cookie: session.cookie } })).status).toBe(200);
    const again = await exchange(code);
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ code: 'unauthorized' });
    expect((await exchange('0'.repeat(64))).status).toBe(401);
  });

  it('signs in with a key pair, setting the cookie with exactly its attributes', async () => {
    const response = await fetch(url('/api/session'), { method: 'POST', headers: server.auth });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      status: 'OK',
      account: { email: 'dev@tapback.local' },
      csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expires_at: expect.any(String),
    });
    expect(Date.parse(body.expires_at as string) - server.server.clock.now()).toBe(TTL_MS);
    expect(response.headers.get('set-cookie')).toMatch(
      new RegExp(`^tapback_session=tbs_[0-9a-f]{64}; Max-Age=${TTL_MS / 1000}; Path=/; HttpOnly; SameSite=Strict$`),
    );
  });

  it('authenticates the API and the event stream by the cookie alone', async () => {
    const session = await signIn();
    const list = await fetch(url('/api/v2/messages'), { headers: { cookie: session.cookie } });
    expect(list.status).toBe(200);
    const state = await fetch(url('/api/session'), { headers: { cookie: session.cookie } });
    expect(state.headers.get('cache-control')).toBe('no-store');
    expect(await state.json()).toEqual({
      status: 'OK',
      account: { email: 'dev@tapback.local' },
      csrf_token: session.csrf,
      expires_at: expect.any(String),
      server: { version: expect.any(String), sandbox: true, manual_clock: true },
    });
    const abort = new AbortController();
    const stream = await fetch(url('/api/v2/events'), { headers: { cookie: session.cookie }, signal: abort.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    abort.abort();
    const without = await fetch(url('/api/v2/events'));
    expect(without.status).toBe(401);
  });

  it('refuses a POST without the session’s CSRF token, storing nothing', async () => {
    const session = await signIn();
    const missing = await sendWith({ cookie: session.cookie }, 'csrf-missing');
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ status: 'ERROR', code: 'csrf_failed' });
    const wrong = await sendWith({ cookie: session.cookie, 'x-csrf-token': `${session.csrf.slice(1)}x` }, 'csrf-wrong');
    expect(wrong.status).toBe(403);
    const other = await signIn();
    const crossed = await sendWith({ cookie: session.cookie, 'x-csrf-token': other.csrf }, 'csrf-crossed');
    expect(crossed.status).toBe(403);
    for (const content of ['csrf-missing', 'csrf-wrong', 'csrf-crossed']) expect(await sentWith(content)).toBe(0);

    const right = await sendWith({ cookie: session.cookie, 'x-csrf-token': session.csrf }, 'csrf-right');
    expect(right.status).toBe(200);
    expect(await sentWith('csrf-right')).toBe(1);
  });

  it('refuses a request from another origin even with the token, and a cross-site form post', async () => {
    const session = await signIn();
    const withToken = { cookie: session.cookie, 'x-csrf-token': session.csrf };
    const foreign = await sendWith({ ...withToken, origin: 'http://attacker.example' }, 'origin-foreign');
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ code: 'csrf_failed' });
    const crossSite = await sendWith({ ...withToken, 'sec-fetch-site': 'cross-site' }, 'origin-cross-site');
    expect(crossSite.status).toBe(403);
    const form = await fetch(url('/api/send-message'), {
      method: 'POST',
      headers: {
        cookie: session.cookie,
        origin: 'http://attacker.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ number: CONTACT, from_number: server.line, content: 'origin-form' }).toString(),
    });
    expect(form.status).toBe(403);
    for (const content of ['origin-foreign', 'origin-cross-site', 'origin-form'])
      expect(await sentWith(content)).toBe(0);

    const own = await sendWith({ ...withToken, origin: server.url }, 'origin-own');
    expect(own.status).toBe(200);
  });

  it('leaves key-pair and bearer requests without CSRF rules', async () => {
    const withKeys = await sendWith({ ...server.auth, origin: 'http://attacker.example' }, 'keys-no-csrf');
    expect(withKeys.status).toBe(200);
  });

  it('opens a session only with a key pair or token, never with the cookie itself', async () => {
    const session = await signIn();
    const response = await fetch(url('/api/session'), {
      method: 'POST',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    });
    expect(response.status).toBe(401);
    expect((await fetch(url('/api/session'), { headers: server.auth })).status).toBe(401);
  });

  it('ends the session on sign-out, and clears the cookie', async () => {
    const session = await signIn();
    const refused = await fetch(url('/api/session'), { method: 'DELETE', headers: { cookie: session.cookie } });
    expect(refused.status).toBe(403);
    const out = await fetch(url('/api/session'), {
      method: 'DELETE',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ status: 'OK' });
    expect(out.headers.get('set-cookie')).toBe('tapback_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict');
    expect((await fetch(url('/api/session'), { headers: { cookie: session.cookie } })).status).toBe(401);
    expect((await fetch(url('/api/v2/messages'), { headers: { cookie: session.cookie } })).status).toBe(401);
  });

  it('ends the session when its key pair is revoked', async () => {
    const tenant = await addTenant(server, `revoked-${backend.name}@example.com`, '+15550007001');
    const session = await signIn(tenant.auth);
    expect((await fetch(url('/api/v2/messages'), { headers: { cookie: session.cookie } })).status).toBe(200);
    await server.server.store.revokeApiKey(tenant.keyId, server.server.clock.now());
    expect((await fetch(url('/api/v2/messages'), { headers: { cookie: session.cookie } })).status).toBe(401);
  });

  it('ends a session made from a bearer token with the token, and refuses a scoped token', async () => {
    const mint = async (body: object) => {
      const response = await fetch(url('/v3/auth/tokens'), {
        method: 'POST',
        headers: { ...server.auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as { token: string; token_id: string; expires_at: string };
    };
    const token = await mint({ expires_in_seconds: 600 });
    const session = await signIn({ authorization: `Bearer ${token.token}` });
    const state = await fetch(url('/api/session'), { headers: { cookie: session.cookie } });
    expect(((await state.json()) as { expires_at: string }).expires_at).toBe(token.expires_at);
    await fetch(url(`/v3/auth/tokens/${token.token_id}`), { method: 'DELETE', headers: server.auth });
    expect((await fetch(url('/api/v2/messages'), { headers: { cookie: session.cookie } })).status).toBe(401);

    const scoped = await mint({ phone_numbers: [server.line] });
    const refused = await fetch(url('/api/session'), {
      method: 'POST',
      headers: { authorization: `Bearer ${scoped.token}` },
    });
    expect(refused.status).toBe(403);
  });

  it('expires a session by the server’s clock', async () => {
    const session = await signIn();
    await advance(TTL_MS - 1_000);
    expect((await fetch(url('/api/v2/messages'), { headers: { cookie: session.cookie } })).status).toBe(200);
    await advance(1_000);
    const expired = await fetch(url('/api/v2/messages'), { headers: { cookie: session.cookie } });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 'unauthorized' });
  });

  it('lets exactly one of two concurrent exchanges of a code win', async () => {
    const code = await mintCode();
    const statuses = (await Promise.all([exchange(code), exchange(code)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401]);
  });

  it('refuses a code after 15 minutes, and an exchange from another origin', async () => {
    const late = await mintCode();
    await advance(15 * 60_000);
    expect((await exchange(late)).status).toBe(401);
    const code = await mintCode();
    const foreign = await exchange(code, { origin: 'http://attacker.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ code: 'csrf_failed' });
    expect((await exchange(code, { origin: server.url })).status).toBe(200);
  });

  it('shows a session only its own account', async () => {
    const tenant = await addTenant(server, `isolated-${backend.name}@example.com`, '+15550007002');
    expect((await sendWith(server.auth, 'bootstrap-only')).status).toBe(200);
    const session = await signIn(tenant.auth);
    const list = await fetch(url('/api/v2/messages?limit=100'), { headers: { cookie: session.cookie } });
    expect(((await list.json()) as { data: unknown[] }).data).toEqual([]);
    const state = await fetch(url('/api/session'), { headers: { cookie: session.cookie } });
    expect(await state.json()).toMatchObject({ account: { email: tenant.email } });
    const viaLink = await exchange(await mintCode(tenant.email));
    const linked = await sessionOf(viaLink);
    const theirs = await fetch(url(`/api/v2/messages?limit=100`), { headers: { cookie: linked.cookie } });
    expect(((await theirs.json()) as { data: unknown[] }).data).toEqual([]);
  });
});
