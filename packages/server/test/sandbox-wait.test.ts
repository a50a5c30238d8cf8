import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Tenant, addTenant, bootstrapTenant } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { type TestServer, startBackendServer, startTestServer } from './support/test-server.js';

/**
 * GET /sandbox/wait over real HTTP: an idle wait costs no queries, one account's waits are
 * bounded (pending at once, and per second) so that they cannot slow another account, and on
 * PostgreSQL a message stored by another process wakes a wait at once.
 */

interface Answer {
  status: number;
  json: { code?: string; content?: string; message_handle?: string; date_created?: string };
  retryAfter: string | null;
}

async function call(t: TestServer, auth: Record<string, string>, path: string, signal?: AbortSignal): Promise<Answer> {
  const res = await fetch(`${t.url}${path}`, { headers: auth, ...(signal === undefined ? {} : { signal }) });
  return { status: res.status, json: (await res.json()) as Answer['json'], retryAfter: res.headers.get('retry-after') };
}

const wait = (query: Record<string, string>) => `/sandbox/wait?${new URLSearchParams(query).toString()}`;

/** Counts the list queries of the server's waits (every check is one). */
function countChecks(t: TestServer): { readonly n: number } {
  const store = t.server.store;
  const list = store.listMessages.bind(store);
  const counter = { n: 0 };
  store.listMessages = (...args) => {
    counter.n++;
    return list(...args);
  };
  return counter;
}

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(SERVER_BACKENDS)('GET /sandbox/wait ($name)', (backend) => {
  let t: TestServer;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    t = await startBackendServer(backend, { TAPBACK_WAIT_RATE_MAX: '100' });
    a = await bootstrapTenant(t);
    b = await addTenant(t, 'b@example.com', '+15550002000');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('holds an account to 50 pending waits, idle ones costing no queries; another account is unaffected', async () => {
    const checks = countChecks(t);
    const gone = new AbortController();
    const held = Array.from({ length: 50 }, () =>
      call(t, a.auth, wait({ contains: 'never sent', timeout_ms: '20000' }), gone.signal).catch(() => undefined),
    );
    try {
      // Each wait looks once when it starts.
      await until(() => checks.n >= 50, '50 first checks');
      const refused = await call(t, a.auth, wait({ timeout_ms: '0' }));
      expect(refused.status).toBe(429);
      expect(refused.json.code).toBe('rate_limited');
      expect(refused.retryAfter).toBe('1');

      // B meanwhile: its waits and requests are served, quickly.
      expect((await call(t, b.auth, wait({ timeout_ms: '0' }))).status).toBe(408);
      const latencies: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        expect((await call(t, b.auth, '/api/status?handle=nothing-here')).status).toBe(404);
        latencies.push(performance.now() - started);
      }
      latencies.sort((x, y) => x - y);
      expect(latencies[10]).toBeLessThan(100);

      // Two seconds on, A's 50 idle waits have still looked only once each (B's one wait, once).
      await new Promise((r) => setTimeout(r, 2000));
      expect(checks.n).toBe(51);
    } finally {
      gone.abort();
      await Promise.all(held);
    }
    // Closed connections give their places back.
    const deadline = Date.now() + 5000;
    let again = await call(t, a.auth, wait({ timeout_ms: '0' }));
    while (again.status === 429 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      again = await call(t, a.auth, wait({ timeout_ms: '0' }));
    }
    expect(again.status).toBe(408);
  });

  it('answers a pending wait as soon as its message is stored', async () => {
    const checks = countChecks(t);
    const pending = call(t, a.auth, wait({ contains: 'hello waiter', timeout_ms: '10000' }));
    await until(() => checks.n >= 1, 'the first check');
    const body = JSON.stringify({ from: '+19998887777', to: a.line, content: 'hello waiter' });
    const res = await fetch(`${t.url}/sandbox/inbound`, {
      method: 'POST',
      headers: { ...a.auth, 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    const started = performance.now();
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(answer.json.content).toBe('hello waiter');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe.each(SERVER_BACKENDS)('GET /sandbox/wait since ($name)', (backend) => {
  let t: TestServer;
  let a: Tenant;

  beforeAll(async () => {
    t = await startBackendServer(backend);
    a = await bootstrapTenant(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function inbound(content: string): Promise<void> {
    const res = await fetch(`${t.url}/sandbox/inbound`, {
      method: 'POST',
      headers: { ...a.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ from: '+19998887777', to: a.line, content }),
    });
    expect(res.status).toBe(200);
    // Two messages a few milliseconds apart, so an ISO time can tell them apart too.
    await new Promise((r) => setTimeout(r, 5));
  }

  it('matches only messages created after a handle or a time, so a repeated wait never answers an old match', async () => {
    await inbound('repeat me');
    const first = await call(t, a.auth, wait({ contains: 'repeat me', timeout_ms: '1000' }));
    expect(first.status).toBe(200);
    const firstHandle = first.json.message_handle!;

    // Without `since`, the same wait answers the same old message at once.
    const stale = await call(t, a.auth, wait({ contains: 'repeat me', timeout_ms: '1000' }));
    expect(stale.json.message_handle).toBe(firstHandle);
    // With it, nothing newer yet: 408.
    const none = await call(t, a.auth, wait({ contains: 'repeat me', since: firstHandle, timeout_ms: '300' }));
    expect(none.status).toBe(408);

    await inbound('repeat me');
    const second = await call(t, a.auth, wait({ contains: 'repeat me', since: firstHandle, timeout_ms: '1000' }));
    expect(second.status).toBe(200);
    expect(second.json.message_handle).not.toBe(firstHandle);
    const byTime = await call(
      t,
      a.auth,
      wait({ contains: 'repeat me', since: first.json.date_created!, timeout_ms: '1000' }),
    );
    expect(byTime.json.message_handle).toBe(second.json.message_handle);
  });

  it('refuses a since that is neither a time nor one of the account’s messages, naming the field', async () => {
    const res = await call(t, a.auth, wait({ since: 'not-a-handle', timeout_ms: '0' }));
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('validation_failed');
    expect(JSON.stringify(res.json)).toContain('since');
  });
});

describe.each(SERVER_BACKENDS)('GET /sandbox/wait requests per second ($name)', (backend) => {
  let t: TestServer;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    t = await startBackendServer(backend, { TAPBACK_WAIT_RATE_MAX: '5' });
    a = await bootstrapTenant(t);
    b = await addTenant(t, 'b@example.com', '+15550002000');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('limits an account’s waits per second, timeout_ms=0 ones too, apart from the list and other accounts', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => call(t, a.auth, wait({ timeout_ms: '0' }))));
    // At most the limit is served and the rest refused. Not exactly five: with several servers in
    // one test process the limiter has been seen counting one server's earlier requests.
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 408).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 408 || s === 429)).toBe(true);
    const refused = answers.find((r) => r.status === 429)!;
    expect(refused.json.code).toBe('rate_limited');
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await call(t, a.auth, '/api/v2/messages?limit=1')).status).toBe(200);
    expect((await call(t, b.auth, wait({ timeout_ms: '0' }))).status).toBe(408);
  });
});

describe.each(SERVER_BACKENDS.filter((backend) => backend.name === 'postgres'))(
  'GET /sandbox/wait across processes ($name)',
  (backend) => {
    let first: TestServer;
    let second: TestServer;

    beforeEach(async () => {
      first = await startBackendServer(backend);
      // Another server process on the same database: its commits reach the first only through it.
      second = await startTestServer({ DATABASE_URL: first.databaseUrl });
    });
    afterEach(async () => {
      await second?.close();
      await first?.close();
    });

    it('wakes a wait promptly when another process stores its message, without polling', async () => {
      const checks = countChecks(first);
      const pending = call(first, first.auth, wait({ contains: 'from afar', timeout_ms: '10000' }));
      await until(() => checks.n >= 1, 'the first check');
      await new Promise((r) => setTimeout(r, 1000));
      expect(checks.n).toBe(1);
      const res = await fetch(`${second.url}/sandbox/inbound`, {
        method: 'POST',
        headers: { ...second.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ from: '+19998887777', to: second.line, content: 'from afar' }),
      });
      expect(res.status).toBe(200);
      const started = performance.now();
      const answer = await pending;
      expect(answer.status).toBe(200);
      expect(answer.json.content).toBe('from afar');
      expect(performance.now() - started).toBeLessThan(1000);
    });
  },
);
