import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapTenant, seedMessage } from './support/api-helpers.js';
import { sqliteServerBackend } from './support/backends.js';
import { HAS_BROWSER, launchBrowser, newContext } from './support/browser.js';
import { bubbleWithText, ensureInboxBuilt, openThreadByUrl, signIn } from './support/inbox-page.js';
import { type TestServer, TEST_LINE, startBackendServer } from './support/test-server.js';

/**
 * A 10,000-message thread in the browser: only the bubbles in view are in the page, older pages
 * load as the reader scrolls up, and what is on screen stays put when they arrive. Virtualisation
 * is the browser's side alone (the thread's list requests are the same on every backend), so this
 * runs on SQLite, where seeding 10,000 rows is quick.
 */

const CONTACT = '+14155550177';
const COUNT = 10_000;

describe.runIf(HAS_BROWSER)('a 10,000-message thread in the web inbox', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await ensureInboxBuilt();
    server = await startBackendServer(sqliteServerBackend);
    const owner = await bootstrapTenant(server);
    const start = Date.UTC(2026, 0, 1);
    const first = await seedMessage(server, owner, {
      fromNumber: TEST_LINE,
      toNumber: CONTACT,
      content: 'message 0',
      createdAt: start,
    });
    // The rest copy the first row in one statement (the API would take minutes at 10,000 sends);
    // the database's own triggers index them as they do any insert.
    const db = new Database(server.databaseUrl.replace(/^sqlite:/, ''));
    try {
      const columns = (db.prepare('PRAGMA table_info(messages)').all() as { name: string }[])
        .map((c) => c.name)
        .filter((c) => c !== 'id');
      const value: Record<string, string> = {
        handle: "printf('01a00000-0000-7000-8000-%012d', n)",
        content:
          "'message ' || n || CASE WHEN n % 7 = 0 THEN ' — a longer one that wraps onto a second line in the bubble, as real conversations do' ELSE '' END",
        is_outbound: 'CASE WHEN n % 3 = 0 THEN 1 ELSE 0 END',
        status: "CASE WHEN n % 3 = 0 THEN 'DELIVERED' ELSE 'RECEIVED' END",
        from_number: `CASE WHEN n % 3 = 0 THEN from_number ELSE '${CONTACT}' END`,
        to_number: `CASE WHEN n % 3 = 0 THEN to_number ELSE '${TEST_LINE}' END`,
        created_at: `${start} + n * 60000`,
        sent_at: `${start} + n * 60000`,
        updated_at: `${start} + n * 60000`,
      };
      db.exec(`WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${COUNT - 1})
        INSERT INTO messages (${columns.join(', ')})
        SELECT ${columns.map((c) => value[c] ?? c).join(', ')} FROM seq, messages WHERE messages.handle = '${first.handle}'`);
    } finally {
      db.close();
    }
    browser = await launchBrowser();
    page = await (await newContext(browser)).newPage();
    await signIn(page, server);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders only the bubbles in view, loads older pages on scrolling up and keeps the view still', async () => {
    await openThreadByUrl(page, server, TEST_LINE, CONTACT);
    await bubbleWithText(page, `message ${COUNT - 1}`).waitFor();
    const inPage = () => page.locator('.bubble[data-handle]').count();
    expect(await inPage()).toBeLessThan(60);

    // Scroll to the top a page at a time until a message five pages back is loaded and shown.
    const target = bubbleWithText(page, `message ${COUNT - 450}`);
    const frames: number[] = [];
    for (let i = 0; i < 40 && (await target.count()) === 0; i++) {
      const worst = (await page.evaluate(`new Promise((resolve) => {
        const log = document.querySelector('[role=log]');
        let last = performance.now(), worst = 0, n = 0;
        const step = () => {
          const now = performance.now();
          worst = Math.max(worst, now - last);
          last = now;
          log.scrollTop = Math.max(0, log.scrollTop - 400);
          if (++n < 10) requestAnimationFrame(step); else resolve(worst);
        };
        requestAnimationFrame(step);
      })`)) as number;
      frames.push(worst);
      await page.waitForTimeout(50);
    }
    expect(await target.count()).toBe(1);
    expect(await inPage()).toBeLessThan(80);
    console.log(
      `10k thread: worst frame while scrolling ${Math.max(...frames).toFixed(0)} ms (median of steps ${[...frames].sort((a, b) => a - b)[Math.floor(frames.length / 2)]?.toFixed(0)} ms)`,
    );

    // A page arriving above does not move what the reader is looking at.
    const box = await target.boundingBox();
    await page.waitForTimeout(300);
    const after = await target.boundingBox();
    expect(Math.abs((after?.y ?? 0) - (box?.y ?? 0))).toBeLessThan(2);
  });
});
