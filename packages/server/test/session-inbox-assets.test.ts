import Fastify from 'fastify';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandler } from '../src/api/error-handler.js';
import { INBOX_SECURITY_HEADERS, inboxBundleDir, registerInboxAssets } from '../src/api/inbox-assets.js';
import { sqliteServerBackend } from './support/backends.js';
import { type TestServer, startBackendServer } from './support/test-server.js';

/** The web inbox's files under /inbox/, the redirects to it, and their headers. */

const CSP =
  "default-src 'self'; img-src 'self' data: blob: https:; media-src 'self' blob: https:; style-src 'self'; " +
  "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function expectSecurityHeaders(response: Response): void {
  expect(response.headers.get('content-security-policy')).toBe(CSP);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
}

describe('serving the web inbox', () => {
  let server: TestServer;
  const bundle = inboxBundleDir();
  beforeAll(async () => {
    server = await startBackendServer(sqliteServerBackend);
  });
  afterAll(() => server.close());
  /** The whole answer, its body read: a body left unread holds the connection open past the server's close. */
  const get = async (path: string): Promise<Response> => {
    const response = await fetch(`${server.url}${path}`, { redirect: 'manual' });
    const body = await response.arrayBuffer();
    return new Response(response.status === 301 || response.status === 302 ? null : body, {
      status: response.status,
      headers: response.headers,
    });
  };

  it('finds the built bundle', () => {
    expect(bundle).toBeDefined();
    expect(INBOX_SECURITY_HEADERS['content-security-policy']).toBe(CSP);
  });

  it('redirects / and /inbox to /inbox/', async () => {
    const root = await get('/');
    expect([root.status, root.headers.get('location')]).toEqual([302, '/inbox/']);
    const inbox = await get('/inbox');
    expect([inbox.status, inbox.headers.get('location')]).toEqual([301, '/inbox/']);
    expectSecurityHeaders(inbox);
  });

  it('serves index.html at /inbox/ and for any app path under it, never cached stale', async () => {
    const index = await get('/inbox/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expectSecurityHeaders(index);
    const html = await index.text();
    expect(html).toContain('<div id="app">');
    for (const path of ['/inbox/anything', '/inbox/conversations/abc?x=1']) {
      const deep = await get(path);
      expect([path, deep.status, deep.headers.get('cache-control')]).toEqual([path, 200, 'no-cache']);
      expectSecurityHeaders(deep);
      expect(await deep.text()).toBe(html);
    }
  });

  it('serves hashed assets as immutable, and a missing one as a 404', async () => {
    const [asset] = readdirSync(join(bundle ?? '', 'assets'));
    const file = await get(`/inbox/assets/${asset}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expectSecurityHeaders(file);
    const posted = await fetch(`${server.url}/inbox/anything`, { method: 'POST' });
    expect([posted.status, ((await posted.json()) as { code: string }).code]).toEqual([404, 'route_not_found']);
    const escaping = await get('/inbox/%2e%2e/%2e%2e/package.json');
    expect(escaping.status).not.toBe(200);
    const missing = await get('/inbox/assets/index-00000000.js');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'route_not_found' });
  });

  it('leaves the inbox out of the OpenAPI document, and puts the session routes in it', async () => {
    const document = (await (await get('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { operationId?: string; tags?: string[] }>>;
    };
    expect(Object.keys(document.paths).filter((p) => p === '/' || p.startsWith('/inbox'))).toEqual([]);
    expect(document.paths['/api/session']?.post).toMatchObject({ operationId: 'session.create', tags: ['Inbox'] });
    expect(document.paths['/api/session']?.get).toMatchObject({ operationId: 'session.retrieve', tags: ['Inbox'] });
    expect(document.paths['/api/session']?.delete).toMatchObject({ operationId: 'session.delete', tags: ['Inbox'] });
    expect(document.paths['/api/session/link']?.post).toMatchObject({ operationId: 'session.link', tags: ['Inbox'] });
  });
});

describe('an inbox never built', () => {
  it('answers 404 inbox_not_built, saying to build', async () => {
    const app = Fastify();
    installErrorHandler(app);
    await registerInboxAssets(app, undefined);
    for (const url of ['/inbox/', '/inbox/anything']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ status: 'ERROR', code: 'inbox_not_built' });
      expect(response.json<{ message: string }>().message).toContain('npm run build');
      expect(response.headers['content-security-policy']).toBe(CSP);
    }
    await app.close();
  });
});
