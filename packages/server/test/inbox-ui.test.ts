import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { HAS_BROWSER, launchBrowser, newContext, screenshot, seriousViolations } from './support/browser.js';
import {
  bubble,
  bubbleWithText,
  conversationRow,
  ensureInboxBuilt,
  mintSignInCode,
  openConversation,
  sendFromCompose,
  signIn,
  signInWithLink,
  waitForStatus,
} from './support/inbox-page.js';
import { MAYA, RCS, SAM, advance, call, inbound, photoOrigin, seedInbox, send } from './support/inbox-seed.js';
import { type TestServer, TEST_LINE, startTestServer } from './support/test-server.js';
import { type Receiver, startReceiver } from './support/webhook-receiver.js';

/**
 * The web inbox in Chromium against a real server with a manual clock: sign-in (form and one-time
 * link), composing with live status ticks, inbound messages and unread badges, typing, search,
 * the timeline dialog, recovery after a server restart, accessibility in both themes, and the
 * screenshots the README shows.
 */

describe.runIf(HAS_BROWSER).each(SERVER_BACKENDS)('web inbox in a browser ($name)', (backend) => {
  let db: { url: string; dispose(): Promise<void> };
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let origin: { url: string; close(): Promise<void> };
  let receiver: Receiver;

  const start = (port = '0') => startTestServer({ DATABASE_URL: db.url, TAPBACK_CLOCK: 'manual', TAPBACK_PORT: port });

  beforeAll(async () => {
    await ensureInboxBuilt();
    db = await backend.createDatabase();
    server = await start();
    origin = await photoOrigin();
    receiver = await startReceiver(() => 200);
    browser = await launchBrowser();
    context = await newContext(browser, 'light');
    page = await context.newPage();
    await seedInbox(server, origin.url, `${receiver.url}/webhooks/tapback`);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.server.close();
    await origin?.close();
    await receiver?.close();
    await db?.dispose();
  });

  it('refuses a wrong secret inline, then signs in through the form', async () => {
    await page.goto(`${server.url}/inbox/`);
    await page.getByLabel('Key ID').fill('test-key-id-0001');
    await page.getByLabel('Secret').fill('not-the-secret-0000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/./);
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await signIn(page, server);
    await expect.poll(() => page.locator('.live').textContent()).toContain('Live');
  });

  it('signs in through a one-time #sign-in= link, drops the code from the address, and refuses it a second time', async () => {
    const fresh = await newContext(browser, 'light');
    try {
      const other = await fresh.newPage();
      const code = await mintSignInCode(server, 'dev@tapback.local');
      await signInWithLink(other, server, code);
      expect(other.url()).not.toContain(code);
      await other.getByRole('button', { name: 'Sign out' }).click();
      await other.getByRole('button', { name: 'Sign in' }).waitFor();
      const again = await fresh.newPage();
      await again.goto(`${server.url}/inbox/#sign-in=${code}`);
      await expect.poll(() => again.getByRole('alert').textContent()).toMatch(/already used|expired/);
    } finally {
      await fresh.close();
    }
  });

  it('lists conversations newest first with excerpts, services and unread badges', async () => {
    await page.goto(`${server.url}/inbox/#/`);
    const names = page.getByRole('list', { name: 'Conversations' }).locator('.conversation-name');
    await expect.poll(() => names.count()).toBe(5);
    expect(await names.first().textContent()).toBe('(646) 555-0199');
    const sam = conversationRow(page, '(646) 555-0199');
    expect(await sam.getByRole('img', { name: '2 unread' }).count()).toBe(1);
    expect(await conversationRow(page, '(202) 555-0001').locator('.service').textContent()).toBe('SMS');
  });

  it('sends from the compose box with an effect; the ticks go QUEUED → SENT → DELIVERED without reloading', async () => {
    await openConversation(page, '(415) 555-0142');
    const handle = await sendFromCompose(page, 'Bringing coffee ☕', { effect: 'slam' });
    await waitForStatus(page, handle, 'QUEUED');
    const row = page.locator('.msg').filter({ has: bubble(page, handle) });
    expect(await row.locator('.effect').textContent()).toBe('sent with Slam');
    await advance(server, 150);
    await waitForStatus(page, handle, 'SENT', 2000);
    await advance(server, 500);
    await waitForStatus(page, handle, 'DELIVERED', 2000);
    expect(await row.locator('.ticks').textContent()).toContain('✓✓');
  });

  it('shows an inbound message live in the open thread and bumps the unread badge of a closed one', async () => {
    await inbound(server, MAYA, 'Perfect, see you at 10');
    await bubbleWithText(page, 'Perfect, see you at 10').waitFor({ timeout: 2000 });
    await inbound(server, SAM, 'Third try: please call');
    const sam = conversationRow(page, '(646) 555-0199');
    await sam.getByRole('img', { name: '3 unread' }).waitFor({ timeout: 2000 });
    // The open conversation stays read.
    expect(await conversationRow(page, '(415) 555-0142').locator('.badge').count()).toBe(0);
  });

  it('shows the typing indicator while the contact types', async () => {
    await call(server, 'POST', '/sandbox/typing', { from: MAYA, to: TEST_LINE, is_typing: true });
    await page.getByText('typing…').waitFor({ timeout: 2000 });
    await call(server, 'POST', '/sandbox/typing', { from: MAYA, to: TEST_LINE, is_typing: false });
    await page.getByText('typing…').waitFor({ state: 'detached', timeout: 2000 });
  });

  it('finds a message by full-text search and opens its thread', async () => {
    await page.getByRole('searchbox', { name: 'Search messages' }).fill('invoice');
    const result = page.getByRole('list', { name: 'Search results' }).getByRole('button');
    await expect.poll(() => result.count()).toBe(1);
    expect(await result.first().textContent()).toContain('It is about the invoice.');
    await result.first().click();
    await bubbleWithText(page, 'It is about the invoice.').waitFor();
    expect(await page.locator('.thread-header h2').textContent()).toBe('(646) 555-0199');
  });

  it('opens the timeline from a bubble with the keyboard: QUEUED, SENT, DELIVERED; Escape closes it and focus returns', async () => {
    await openConversation(page, '(415) 555-0142');
    const target = bubbleWithText(page, 'Bringing coffee');
    await target.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Message timeline' });
    await dialog.waitFor();
    const statuses = dialog.locator('.status-entry');
    await expect
      .poll(() => statuses.evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))))
      .toEqual(['QUEUED', 'SENT', 'DELIVERED']);
    // The outbound webhook's deliveries of the SENT and DELIVERED updates, each with its attempt.
    await expect.poll(() => dialog.locator('.attempts tbody tr').count()).toBe(2);
    expect(await dialog.locator('.attempts td.ok').allTextContents()).toEqual(['200', '200']);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    const focused = await page.evaluate('document.activeElement?.getAttribute("data-handle")');
    expect(focused).toBe(await target.getAttribute('data-handle'));
  });

  it('after a server restart, reconnects and shows what happened meanwhile, live and after a reload', async () => {
    await openConversation(page, '(415) 555-0142');
    const port = new URL(server.url).port;
    await server.server.close();
    await expect.poll(() => page.locator('.live').textContent()).not.toContain('Live');
    server = await start(port);
    // Sent before the page's stream is back: the stream cannot carry it, the repair must.
    const meanwhile = await send(server, MAYA, 'Sent while you were away');
    await advance(server, 1000);
    const handle = String(meanwhile.message_handle);
    await waitForStatus(page, handle, 'DELIVERED', 15_000);
    await expect.poll(() => page.locator('.live').textContent(), { timeout: 15_000 }).toContain('Live');
    await page.reload();
    await waitForStatus(page, handle, 'DELIVERED');
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`has no serious accessibility violations on the list, a thread and the timeline (${scheme})`, async () => {
      // A closed conversation with something unread, for the badge in the screenshots.
      if (scheme === 'light') await inbound(server, RCS, 'Could we make it 8 instead?');
      const themed = await newContext(browser, scheme);
      try {
        const p = await themed.newPage();
        await signIn(p, server);
        await p.getByRole('list', { name: 'Conversations' }).getByRole('button').first().waitFor();
        expect(await seriousViolations(p)).toEqual([]);
        if (backend.name === 'sqlite') await screenshot(p, `inbox-conversations-${scheme}`);
        await openConversation(p, '(415) 555-0142');
        await p.locator('.bubble img').first().waitFor();
        await p.waitForFunction('[...document.images].every((i) => i.complete)');
        expect(await seriousViolations(p)).toEqual([]);
        if (backend.name === 'sqlite') await screenshot(p, `inbox-thread-${scheme}`);
        await bubbleWithText(p, 'Bringing coffee').click();
        await p.getByRole('dialog', { name: 'Message timeline' }).locator('.status-entry').first().waitFor();
        expect(await seriousViolations(p)).toEqual([]);
        if (backend.name === 'sqlite') await screenshot(p, `inbox-timeline-${scheme}`);
      } finally {
        await themed.close();
      }
    });
  }
});
