import SendblueAPI, { APIError } from 'sendblue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiRoute, routesFromOpenApi } from '../../../scripts/docs/generated-tables.mjs';
import { sdkMethods } from '../../../scripts/docs/sdk-methods.mjs';
import { CONTACT, inject, send } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { SDK_WALK_ARGS, type WalkContext } from './support/sdk-walk-args.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';

/**
 * Every method of the installed official SDK (found by walking the client's resources, nested
 * ones included) called against a real server: none may meet `route_not_found` (or a 405, a path
 * that exists without that method). A method the SDK gains fails here until Tapback serves it.
 */
const METHODS = sdkMethods(new SendblueAPI({ apiKey: 'k', apiSecret: 's', baseURL: 'http://127.0.0.1:1' }));

type Outcome = { method: string; request: string; answered: true } | { method: string; answered: false; why: string };

describe.each(SERVER_BACKENDS)('every official SDK method reaches a Tapback route ($name)', (backend) => {
  let server: TestServer;
  let client: SendblueAPI;
  let context: WalkContext;
  let outcomes: Outcome[] | undefined;
  const requests: string[] = [];

  beforeAll(async () => {
    server = await startBackendServer(backend);
    client = new SendblueAPI({
      apiKey: TEST_KEY_ID,
      apiSecret: TEST_SECRET,
      baseURL: server.url,
      maxRetries: 0,
      timeout: 10_000,
      // Records each request's method and path, to find the route that answered it.
      fetch: (url, init) => {
        requests.push(`${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`);
        return fetch(url, init);
      },
    });
    const sent = await send(server, server.auth, { number: CONTACT, from_number: server.line, content: 'walk' });
    const group = await inject(server, {
      method: 'POST',
      url: '/api/send-group-message',
      headers: { ...server.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ from_number: server.line, numbers: [CONTACT, '+19998887778'], content: 'walk' }),
    });
    expect(group.statusCode, group.body).toBe(200);
    context = {
      line: server.line,
      contact: CONTACT,
      spare: '+19998880001',
      handle: (sent.json() as { message_handle: string }).message_handle,
      groupId: (group.json() as { group_id: string }).group_id,
    };
  });
  afterAll(() => server.close());

  it('finds the SDK’s methods, nested resources included', () => {
    expect(METHODS).toContain('contacts.bulk.create');
    expect(METHODS).toContain('v2.totp.secrets.create');
    expect(METHODS).toContain('messages.v2.verify.services.verifications.create');
    expect(METHODS).not.toContain('get');
    expect(METHODS).not.toContain('post');
  });

  it('has arguments for every SDK method, and for no method the SDK lacks', () => {
    const missing = METHODS.filter((m) => !(m in SDK_WALK_ARGS));
    const stale = Object.keys(SDK_WALK_ARGS).filter((m) => !METHODS.includes(m));
    expect(
      missing,
      `add arguments for these SDK methods to test/support/sdk-walk-args.ts: ${missing.join(', ')}`,
    ).toEqual([]);
    expect(stale, `the SDK no longer has these methods: ${stale.join(', ')}`).toEqual([]);
  });

  it('answers every SDK method with a route', async () => {
    outcomes = [];
    for (const method of METHODS) outcomes.push(await call(client, method, context, requests));
    const failed = outcomes.filter((o): o is Extract<Outcome, { answered: false }> => !o.answered);
    const report = `${outcomes.length - failed.length} of ${METHODS.length} answered`;
    console.info(`SDK walk (${backend.name}): ${report}`);
    expect(
      failed.map((f) => `${f.method}: ${f.why}`),
      `${report}; these met no route`,
    ).toEqual([]);
  });

  // The README's compatibility table finds a method's route by operationId: it must be the method's path.
  it('answers every SDK method from the route whose operationId is the method', () => {
    const routes = routesFromOpenApi(server.server.app.swagger());
    const wrong = (outcomes ?? [])
      .filter((o): o is Extract<Outcome, { answered: true }> => o.answered)
      .map((o) => ({ method: o.method, request: o.request, documented: methodsOf(routes, o.request) }))
      .filter((o) => !o.documented.includes(o.method))
      .map((o) => `${o.method}: ${o.request} is ${o.documented.join(', ') || 'undocumented'}`);
    expect(outcomes, 'runs after the walk').toBeDefined();
    expect(wrong, 'set operationId (or x-sdk-methods) to the SDK method path on these routes').toEqual([]);
  });
});

/**
 * The SDK methods documented for the route a request (`METHOD /path`) went to: of the routes its
 * path matches, the one with the fewest path parameters (`/contacts/count` before `/contacts/{n}`).
 */
function methodsOf(routes: ApiRoute[], request: string): string[] {
  const [method, path] = request.split(' ');
  const params = (r: ApiRoute) => (r.path.match(/\{/g) ?? []).length;
  const matching = routes
    .filter((r) => r.method === method)
    .filter((r) => new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path ?? ''))
    .sort((a, b) => params(a) - params(b));
  const best = matching[0]?.path;
  return matching.filter((r) => r.path === best).map((r) => r.operationId);
}

/** Calls one SDK method by its dotted path; any answer but "no such route" counts as answered. */
async function call(client: SendblueAPI, method: string, context: WalkContext, requests: string[]): Promise<Outcome> {
  const args = SDK_WALK_ARGS[method];
  if (args === undefined) return { method, answered: false, why: 'no arguments in test/support/sdk-walk-args.ts' };
  const path = method.split('.');
  const name = path.pop() ?? '';
  let holder: unknown = client;
  for (const part of path) holder = (holder as Record<string, unknown>)[part];
  const fn = (holder as Record<string, unknown>)[name];
  if (typeof fn !== 'function') return { method, answered: false, why: 'not a function on the client' };
  try {
    const result: unknown = await (fn as (...a: unknown[]) => Promise<unknown>).apply(holder, args(context));
    // A streaming method answers with its open stream: close it.
    (result as { controller?: AbortController } | null)?.controller?.abort();
    return { method, request: requests.at(-1) ?? '', answered: true };
  } catch (error) {
    if (!(error instanceof APIError)) return { method, answered: false, why: `no answer: ${String(error)}` };
    const code = (error.error as { code?: unknown } | undefined)?.code;
    if (error.status === 404 && code === 'route_not_found') return { method, answered: false, why: 'route_not_found' };
    if (error.status === 405) return { method, answered: false, why: `405 ${String(code)}` };
    return { method, request: requests.at(-1) ?? '', answered: true };
  }
}
