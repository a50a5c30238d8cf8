import type { Browser, BrowserContext, Page } from 'playwright-core';
import SendblueAPI from 'sendblue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapTenant } from './support/api-helpers.js';
import { SERVER_BACKENDS } from './support/backends.js';
import { HAS_BROWSER, launchBrowser, newContext, screenshot, seriousViolations } from './support/browser.js';
import { ensureInboxBuilt, openInbox, sendFromCompose, signIn, waitForStatus } from './support/inbox-page.js';
import { TEST_KEY_ID, TEST_SECRET, type TestServer, startBackendServer } from './support/test-server.js';
import { type BodyReceiver, startBodyReceiver } from './support/body-receiver.js';

const CONTACT = '+15557770101';

interface Clock {
  now: string;
}

/** A page of a fresh context, signed in through the form, showing `hash`. */
async function signedIn(context: BrowserContext, server: TestServer, hash: string): Promise<Page> {
  const page = await context.newPage();
  await signIn(page, server);
  await openInbox(page, server, hash);
  // Views follow the event stream from when it opens: what happens earlier only shows on a reload.
  await page
    .getByRole('status')
    .filter({ hasText: /^Live$/ })
    .waitFor();
  return page;
}

async function sandboxInbound(server: TestServer, content: string, from = CONTACT): Promise<void> {
  const res = await fetch(`${server.url}/sandbox/inbound`, {
    method: 'POST',
    headers: { ...server.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ from, to: server.line, content }),
  });
  expect(res.status).toBe(200);
}

const threadHash = (server: TestServer, contact: string): string =>
  `#/c/${encodeURIComponent(`${server.line}:${contact}`)}?line=${encodeURIComponent(server.line)}&number=${encodeURIComponent(contact)}`;

// A browser, a server per backend and axe runs: on a shared 2-core machine a test may take several times its usual 3-15 s.
describe.runIf(HAS_BROWSER)('the inbox’s webhooks, lines and sandbox controls', { timeout: 60_000 }, () => {
  let browser: Browser;
  beforeAll(async () => {
    await ensureInboxBuilt();
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  describe.each(SERVER_BACKENDS)('on $name', (backend) => {
    let server: TestServer;
    let client: SendblueAPI;
    let context: BrowserContext | undefined;

    beforeAll(async () => {
      // Two attempts a failing delivery, 100 ms apart, then it is failed.
      server = await startBackendServer(backend, { TAPBACK_WEBHOOK_RETRY_SCHEDULE: '0,100ms' });
      client = new SendblueAPI({ apiKey: TEST_KEY_ID, apiSecret: TEST_SECRET, baseURL: server.url });
    });
    afterAll(() => server?.close());
    afterEach(async () => {
      await context?.close();
      context = undefined;
    });

    it('lists the sandbox line ONLINE with its provider, accessibly in both themes', async () => {
      for (const scheme of ['light', 'dark'] as const) {
        context = await newContext(browser, scheme);
        const page = await signedIn(context, server, '#/lines');
        const row = page.locator(`tr[data-line="${server.line}"]`);
        await row.and(page.locator('[data-health="ONLINE"]')).waitFor();
        await expect(row.locator('td').first().textContent()).resolves.toBe('sandbox');
        expect(await seriousViolations(page)).toEqual([]);
        await context.close();
        context = undefined;
      }
    });

    it('replies as the contact through the controls, and the reply appears in the thread', async () => {
      await client.messages.send({ number: CONTACT, from_number: server.line, content: 'Are you coming?' });
      context = await newContext(browser);
      const page = await signedIn(context, server, threadHash(server, CONTACT));
      const controls = page.getByRole('complementary', { name: 'Sandbox controls' });
      await controls.getByLabel(`Message from ${CONTACT}`).fill('On my way');
      await page.keyboard.press('Enter');
      await page.locator('[data-handle][data-status="RECEIVED"]', { hasText: 'On my way' }).waitFor();
      await expect(controls.getByLabel(`Message from ${CONTACT}`).inputValue()).resolves.toBe('');

      const typing = controls.getByRole('button', { name: 'Contact is typing' });
      await typing.click();
      await controls.locator('button[aria-pressed="true"]', { hasText: 'Contact is typing' }).waitFor();
      await controls.getByText(`${CONTACT} is typing.`).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'inbox-sandbox-controls-light');
    });

    it('sends STOP as the contact, after which a send from the compose box is DECLINED', async () => {
      const contact = '+15557770102';
      await sandboxInbound(server, 'hello', contact);
      context = await newContext(browser);
      const page = await signedIn(context, server, threadHash(server, contact));
      const controls = page.getByRole('complementary', { name: 'Sandbox controls' });
      await controls.getByRole('button', { name: 'Reply STOP' }).click();
      await page.locator('[data-handle][data-status="RECEIVED"]', { hasText: 'STOP' }).waitFor();
      const handle = await sendFromCompose(page, 'Still there?');
      await waitForStatus(page, handle, 'DECLINED');
    });

    it('replies into a group as the member chosen, without the 1:1-only keyword and typing controls', async () => {
      const members = ['+15557770201', '+15557770202'];
      const sent = await client.groups.sendMessage({ numbers: members, from_number: server.line, content: 'Team?' });
      // The SDK types the answer as a 1:1 message; the wire object carries the new group's id.
      const groupId = (sent as { group_id?: string }).group_id ?? '';
      expect(groupId).not.toBe('');
      context = await newContext(browser);
      const page = await signedIn(
        context,
        server,
        `#/c/${encodeURIComponent(groupId)}?line=${encodeURIComponent(server.line)}&group=${encodeURIComponent(groupId)}`,
      );
      const controls = page.getByRole('complementary', { name: 'Sandbox controls' });
      await controls.getByLabel('Member', { exact: true }).selectOption(members[1]!);
      await controls.getByLabel(`Message from ${members[1]}`).fill('I am in');
      await controls.getByRole('button', { name: 'Send reply' }).click();
      await page.locator('[data-handle][data-status="RECEIVED"]', { hasText: 'I am in' }).waitFor();
      const received = (await (
        await fetch(`${server.url}/api/v2/messages?group_id=${encodeURIComponent(groupId)}&is_outbound=false`, {
          headers: server.auth,
        })
      ).json()) as { data: { from_number: string; content: string }[] };
      expect(received.data.map((m) => [m.from_number, m.content])).toEqual([[members[1], 'I am in']]);
      await expect(controls.getByRole('button', { name: 'Reply STOP' }).count()).resolves.toBe(0);
      await expect(controls.getByRole('button', { name: 'Contact is typing' }).count()).resolves.toBe(0);
    });

    it('shows a message that arrived between the thread’s first read and the event stream’s opening', async () => {
      const contact = '+15557770103';
      await sandboxInbound(server, 'Before the page', contact);
      context = await newContext(browser);
      // The event stream is held until the thread has read its first page.
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      await context.route('**/api/v2/events', async (route) => {
        await held;
        await route.continue();
      });
      const page = await context.newPage();
      await signIn(page, server);
      await openInbox(page, server, threadHash(server, contact));
      await page.locator('[data-handle][data-status="RECEIVED"]', { hasText: 'Before the page' }).waitFor();
      await sandboxInbound(server, 'While the stream opened', contact);
      release();
      await page
        .getByRole('status')
        .filter({ hasText: /^Live$/ })
        .waitFor();
      await page.locator('[data-handle][data-status="RECEIVED"]', { hasText: 'While the stream opened' }).waitFor();
    });

    describe('with a failing webhook endpoint', () => {
      const failure = JSON.stringify({ error: 'queue full', retry_in: 30 });
      let receiver: BodyReceiver;
      beforeAll(async () => {
        receiver = await startBodyReceiver(() => ({
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: failure,
        }));
      });
      afterAll(() => receiver?.close());

      it('shows the failed delivery with its attempts, and a replay adds a delivery whose attempts show', async () => {
        context = await newContext(browser);
        const page = await signedIn(context, server, '#/webhooks');
        const url = `${receiver.url}/hooks/failing`;
        await page.getByLabel('URL').fill(url);
        await page.getByLabel('Type').selectOption('receive');
        await page.getByRole('button', { name: 'Add endpoint' }).click();
        await page.getByRole('table').getByText(url).waitFor();

        await sandboxInbound(server, 'webhook me');
        // No reload: the log follows the account's message events and polls while a delivery is pending.
        const failed = page.locator('li[data-status="failed"]', { hasText: url });
        await failed.waitFor({ timeout: 15_000 });
        const id = await failed.getAttribute('data-delivery-id');
        // Keyboard: the disclosure is a button that Enter opens.
        await failed.getByRole('button', { expanded: false }).focus();
        await page.keyboard.press('Enter');
        const attempts = failed.getByRole('table', { name: `Attempts of delivery ${id}` });
        await expect(attempts.locator('tbody tr').count()).resolves.toBe(2);
        await expect(attempts.locator('tbody tr').first().textContent()).resolves.toContain('HTTP 500');
        // The request as it was signed and sent, and what the endpoint answered.
        const requestBody = failed.getByLabel(`Request body of delivery ${id}`);
        await requestBody.waitFor();
        const sent = receiver.arrived[0]?.body ?? '';
        await expect(requestBody.textContent()).resolves.toBe(JSON.stringify(JSON.parse(sent), null, 2));
        expect(JSON.parse(sent)).toMatchObject({ content: 'webhook me' });
        const requestHeaders = failed.getByLabel(`Request headers of delivery ${id}`);
        await expect(requestHeaders.textContent()).resolves.toContain(
          `webhook-id: ${String(receiver.arrived[0]?.headers['webhook-id'])}`,
        );
        await expect(
          attempts.locator('tbody tr').first().getByLabel('Response body of attempt 1').textContent(),
        ).resolves.toBe(failure);
        await expect(attempts.locator('tbody tr').first().textContent()).resolves.toContain('application/json');

        await failed.getByRole('button', { name: `Replay delivery ${id}` }).click();
        const replay = page.locator('li[data-status="failed"]', { hasText: `replay of #${id}` });
        await replay.waitFor({ timeout: 15_000 });
        const replayId = await replay.getAttribute('data-delivery-id');
        const replayAttempts = replay.getByRole('table', { name: `Attempts of delivery ${replayId}` });
        await expect(replayAttempts.locator('tbody tr').count()).resolves.toBe(2);
        expect(receiver.arrived).toHaveLength(4);

        await page.getByLabel('Status').selectOption('succeeded');
        await page.getByText('No deliveries with status succeeded.').waitFor();
        await page.getByLabel('Status').selectOption('failed');
        await page.locator('li[data-status="failed"]').nth(1).waitFor();
        await expect(page.locator('li[data-status="failed"]').count()).resolves.toBe(2);
        await page.getByLabel('Status').selectOption('');

        expect(await seriousViolations(page)).toEqual([]);
        await screenshot(page, 'inbox-webhooks-light');
        await context.close();
        context = await newContext(browser, 'dark');
        const dark = await signedIn(context, server, '#/webhooks');
        await dark.locator('li[data-status="failed"]').first().waitFor();
        expect(await seriousViolations(dark)).toEqual([]);
        await screenshot(dark, 'inbox-webhooks-dark');

        await dark.getByRole('button', { name: `Delete receive webhook ${url}` }).click();
        await dark.getByText('No endpoints yet').waitFor();
        const left = await client.webhooks.list();
        expect(left.webhooks?.receive ?? []).toEqual([]);
      });
    });

    it('has no Advance clock control on a server with the real clock', async () => {
      context = await newContext(browser);
      const page = await signedIn(context, server, threadHash(server, CONTACT));
      const controls = page.getByRole('complementary', { name: 'Sandbox controls' });
      await controls.getByRole('button', { name: 'Reset account…' }).waitFor();
      await expect(controls.getByRole('button', { name: 'Advance clock' }).count()).resolves.toBe(0);
    });

    // Last on this server: the line it adds stays.
    it('follows line.status.changed: a line whose network refuses it shows up OFFLINE with the error, no reload', async () => {
      context = await newContext(browser);
      const page = await signedIn(context, server, '#/lines');
      await page.locator(`tr[data-line="${server.line}"][data-health="ONLINE"]`).waitFor();
      const line = '+15550003002';
      await server.server.store.addLine({
        accountId: (await bootstrapTenant(server)).accountId,
        number: line,
        provider: 'smpp',
        settings: { url: 'smpp://tapback:secret@127.0.0.1:1' },
        now: Date.now(),
      });
      const row = page.locator(`tr[data-line="${line}"][data-health="OFFLINE"]`);
      await row.waitFor({ timeout: 10_000 });
      await expect(row.locator('.ops-error-text').textContent()).resolves.not.toBe('');
      expect(await seriousViolations(page)).toEqual([]);
      await screenshot(page, 'inbox-lines-light');
    });
  });

  describe.each(SERVER_BACKENDS)('with TAPBACK_CLOCK=manual on $name', (backend) => {
    let server: TestServer;
    let context: BrowserContext | undefined;
    beforeAll(async () => {
      server = await startBackendServer(backend, { TAPBACK_CLOCK: 'manual' });
    });
    afterAll(async () => {
      await context?.close();
      await server?.close();
    });

    it('advances the clock from the controls, and resets the account after confirming', async () => {
      await sandboxInbound(server, 'before the reset');
      context = await newContext(browser);
      const page = await signedIn(context, server, threadHash(server, CONTACT));
      const controls = page.getByRole('complementary', { name: 'Sandbox controls' });
      const before = (await (await fetch(`${server.url}/sandbox/clock`, { headers: server.auth })).json()) as Clock;
      await controls.getByLabel('Advance by (ms)').fill('3600000');
      await controls.getByRole('button', { name: 'Advance clock' }).click();
      await controls.getByText(/^Server time is now/).waitFor();
      const after = (await (await fetch(`${server.url}/sandbox/clock`, { headers: server.auth })).json()) as Clock;
      expect(Date.parse(after.now) - Date.parse(before.now)).toBe(3_600_000);

      await controls.getByRole('button', { name: 'Reset account…' }).click();
      await controls.getByRole('button', { name: 'Yes, reset' }).click();
      await controls.getByText(/^Removed 1 message,/).waitFor();
      const left = (await (await fetch(`${server.url}/api/v2/messages`, { headers: server.auth })).json()) as {
        data: unknown[];
      };
      expect(left.data).toEqual([]);
    });

    it('shows the reason when the server refuses to reset an account with a real network’s line', async () => {
      const refusedLine = '+15550003001';
      await server.server.store.addLine({
        accountId: (await bootstrapTenant(server)).accountId,
        number: refusedLine,
        provider: 'smpp',
        settings: { url: 'smpp://tapback:secret@127.0.0.1:1' },
        now: Date.now(),
      });
      context = await newContext(browser);
      const page = await signedIn(context, server, threadHash(server, CONTACT));
      const controls = page.getByRole('complementary', { name: 'Sandbox controls' });
      await controls.getByRole('button', { name: 'Reset account…' }).click();
      await controls.getByRole('button', { name: 'Yes, reset' }).click();
      const refusal = controls.getByRole('alert');
      await refusal.waitFor();
      await expect(refusal.textContent()).resolves.toMatch(new RegExp(`^Refused: .*\\${refusedLine}`));

      await page.getByRole('link', { name: 'Lines' }).click();
      await page.locator(`tr[data-line="${refusedLine}"]`, { hasText: 'smpp' }).waitFor();
    });
  });
});
