import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_BACKENDS } from './support/backends.js';
import { HAS_BROWSER, launchBrowser, newContext, seriousViolations } from './support/browser.js';
import { bubble, ensureInboxBuilt, openThreadByUrl, signIn, waitForStatus } from './support/inbox-page.js';
import { advance, inbound } from './support/inbox-seed.js';
import { landscapePng } from './support/png-image.js';
import { type TestServer, startBackendServer } from './support/test-server.js';

/**
 * The compose box's paperclip in Chromium: a real file input that uploads the chosen file
 * (`POST /api/upload-file`, with the session cookie and CSRF header), shows it before sending, and
 * sends it as the message's `media_url`, which the thread then shows inline.
 */

const CONTACT = '+14155550177';

describe.runIf(HAS_BROWSER).each(SERVER_BACKENDS)('attaching a file in the inbox ($name)', (backend) => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    await ensureInboxBuilt();
    server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    // A conversation to open: the contact writes first.
    await inbound(server, CONTACT, 'Send me the picture?');
    browser = await launchBrowser();
    context = await newContext(browser, 'light');
    page = await context.newPage();
    await signIn(page, server);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('uploads a chosen PNG, shows it, sends it, and the thread shows the image inline once DELIVERED', async () => {
    await openThreadByUrl(page, server, server.line, CONTACT);
    const compose = page.getByRole('form', { name: 'Write a message' });
    const picker = compose.getByLabel('Attach a file');
    expect(await picker.getAttribute('type')).toBe('file');
    // Reached by keyboard (the input itself takes focus), and its visible paperclip shows the focus.
    await compose.getByRole('button', { name: 'Attach from a URL' }).focus();
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('attach-file');
    const outline = await page.evaluate(
      `getComputedStyle(document.querySelector('label[for="attach-file"]')).outlineStyle`,
    );
    expect(outline).toBe('solid');

    const png = landscapePng(64, 48);
    const uploaded = page.waitForResponse((r) => r.url().endsWith('/api/upload-file'));
    await picker.setInputFiles({ name: 'beach.png', mimeType: 'image/png', buffer: png });
    const answer = await uploaded;
    expect(answer.status()).toBe(201);
    const { media_url: mediaUrl } = (await answer.json()) as { media_url: string };

    const attachment = compose.getByRole('group', { name: 'Attachment' });
    await attachment.getByRole('img', { name: 'Preview of beach.png' }).waitFor();
    expect(await attachment.textContent()).toContain('beach.png');
    expect(await seriousViolations(page)).toEqual([]);

    await compose.getByRole('textbox', { name: 'Message' }).fill('Here it is');
    await compose.getByRole('button', { name: 'Send' }).click();
    await attachment.waitFor({ state: 'detached' });

    const sent = page.locator('.bubble[data-handle]').filter({ hasText: 'Here it is' }).last();
    await sent.waitFor();
    const handle = (await sent.getAttribute('data-handle')) ?? '';
    await advance(server, 100);
    await advance(server, 400);
    await waitForStatus(page, handle, 'DELIVERED');

    const image = bubble(page, handle).locator('img');
    expect(await image.getAttribute('src')).toBe(mediaUrl);
    const width = `document.querySelector('[data-handle="${handle}"] img')?.naturalWidth`;
    await expect.poll(() => page.evaluate(width)).toBe(64);
  });

  it('removes a chosen file before sending, and reports a refused one inline', async () => {
    const compose = page.getByRole('form', { name: 'Write a message' });
    const picker = compose.getByLabel('Attach a file');
    await picker.setInputFiles({ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n') });
    const attachment = compose.getByRole('group', { name: 'Attachment' });
    await attachment.getByText('notes.pdf').waitFor();
    await attachment.getByRole('button', { name: 'Remove notes.pdf' }).click();
    await attachment.waitFor({ state: 'detached' });

    await picker.setInputFiles({ name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<p>hi</p>') });
    await expect.poll(() => compose.getByRole('alert').textContent()).toMatch(/^file has content type text\/html/);
    expect(await attachment.count()).toBe(0);
  });
});
