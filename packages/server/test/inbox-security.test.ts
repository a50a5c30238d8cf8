import { type Server as HttpServer, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it, vi } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { HAS_BROWSER, launchBrowser, newContext } from './support/browser.js';
import { type TestServer, startBackendServer } from './support/test-server.js';

/**
 * The inbox's security in a real browser: a page without a session gets no data, and another
 * origin's page cannot make a signed-in browser act (neither by SameSite, which withholds the
 * cookie from cross-site requests, nor, where the browser does send it, past the CSRF check).
 */

vi.setConfig({ testTimeout: 60_000 });
const CONTACT = '+19998887777';

/** A page on another origin that posts a form to Tapback as soon as it loads. */
async function attackerSite(target: string, line: string): Promise<{ server: HttpServer; port: number }> {
  const html = `<!doctype html><html><body>
<form id="f" method="post" action="${target}/api/send-message">
  <input name="number" value="${CONTACT}"><input name="from_number" value="${line}">
  <input name="content" value="forged by another site">
</form>
<script>document.getElementById('f').submit()</script>
</body></html>`;
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe.runIf(HAS_BROWSER).each(SERVER_BACKENDS)('inbox security in a browser ($name)', (backend) => {
  let browser: Browser;
  let server: TestServer;
  let attacker: { server: HttpServer; port: number };
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBackendServer(backend);
    attacker = await attackerSite(server.url, server.line);
  });
  afterAll(async () => {
    await new Promise((resolve) => attacker.server.close(resolve));
    await server.close();
    await browser.close();
  });
  beforeEach(async () => {
    context = await newContext(browser);
    page = await context.newPage();
  });
  afterEach(() => context.close());

  /** Signs the browser context in, as the inbox's sign-in form does; returns the CSRF token. */
  async function signIn(): Promise<string> {
    const response = await page.request.post(`${server.url}/api/session`, { headers: server.auth });
    expect(response.status()).toBe(200);
    return ((await response.json()) as { csrf_token: string }).csrf_token;
  }

  async function forgedMessages(): Promise<number> {
    const response = await fetch(`${server.url}/api/v2/messages?limit=100`, { headers: server.auth });
    const body = (await response.json()) as { data: { content: string }[] };
    return body.data.filter((m) => m.content === 'forged by another site').length;
  }

  it('gives a page without a session no data, neither listed nor streamed', async () => {
    await page.goto(`${server.url}/inbox/`);
    const status = await page.evaluate(async () => (await fetch('/api/v2/messages')).status);
    expect(status).toBe(401);
    const stream = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const source = new EventSource('/api/v2/events');
          source.onopen = () => resolve('open');
          source.onerror = () => {
            source.close();
            resolve('error');
          };
        }),
    );
    expect(stream).toBe('error');
  });

  it('stores nothing when a page on another site posts a form to a signed-in browser', async () => {
    await signIn();
    // localhost and 127.0.0.1 are different sites: SameSite=Strict keeps the cookie back.
    await page.goto(`http://localhost:${attacker.port}/`);
    await page.waitForURL(`${server.url}/api/send-message`);
    expect(JSON.parse((await page.textContent('body')) ?? '{}')).toMatchObject({ code: 'unauthorized' });
    expect(await forgedMessages()).toBe(0);
  });

  it('stores nothing when a page on another origin of the same site posts a form with the cookie', async () => {
    await signIn();
    // Another port of 127.0.0.1 is the same site: the browser sends the cookie, and the CSRF check refuses.
    await page.goto(`http://127.0.0.1:${attacker.port}/`);
    await page.waitForURL(`${server.url}/api/send-message`);
    expect(JSON.parse((await page.textContent('body')) ?? '{}')).toMatchObject({ code: 'csrf_failed' });
    expect(await forgedMessages()).toBe(0);
  });

  it('refuses the inbox’s own page a POST without the CSRF header, and accepts it with', async () => {
    const csrf = await signIn();
    await page.goto(`${server.url}/inbox/`);
    const post = (token: string | null) =>
      page.evaluate(
        async ({ token, line, contact }) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (token !== null) headers['x-csrf-token'] = token;
          const response = await fetch('/api/send-message', {
            method: 'POST',
            headers,
            body: JSON.stringify({ number: contact, from_number: line, content: 'from the inbox page' }),
          });
          return { status: response.status, body: (await response.json()) as { code?: string } };
        },
        { token, line: server.line, contact: CONTACT },
      );
    const without = await post(null);
    expect(without).toMatchObject({ status: 403, body: { code: 'csrf_failed' } });
    const listed = await page.evaluate(async () => (await fetch('/api/v2/messages?limit=100')).status);
    expect(listed).toBe(200);
    expect((await post(csrf)).status).toBe(200);
  });
});
