import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { SignInLinks } from '../../src/accounts/sign-in-links.js';
import { type TestServer, TEST_KEY_ID, TEST_SECRET } from './test-server.js';

/**
 * Page helpers for the web inbox's browser tests: signing in, opening a thread, composing, and
 * waiting on a message bubble's `data-status`. Stable names: several test files use them.
 */

const INBOX_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../inbox');
const BUNDLE = join(dirname(fileURLToPath(import.meta.url)), '../../dist/inbox/index.html');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let built: Promise<void> | undefined;

/** Builds the inbox bundle the server serves when it is missing or older than its sources. */
export function ensureInboxBuilt(): Promise<void> {
  built ??= (async () => {
    let bundleTime: number;
    try {
      bundleTime = statSync(BUNDLE).mtimeMs;
    } catch {
      bundleTime = 0;
    }
    if (
      bundleTime >= Math.max(newestSource(join(INBOX_ROOT, 'src')), statSync(join(INBOX_ROOT, 'index.html')).mtimeMs)
    ) {
      return;
    }
    // Built aside and swapped in, so a server another test file runs meanwhile never serves a half-written bundle.
    const { build } = await import('vite');
    const target = dirname(BUNDLE);
    const fresh = `${target}.building-${process.pid}`;
    const old = `${target}.old-${process.pid}`;
    await build({
      configFile: join(INBOX_ROOT, 'vite.config.ts'),
      logLevel: 'error',
      build: { outDir: fresh, emptyOutDir: true },
    });
    rmSync(old, { recursive: true, force: true });
    try {
      renameSync(target, old);
    } catch {
      // no bundle yet
    }
    renameSync(fresh, target);
    rmSync(old, { recursive: true, force: true });
  })();
  return built;
}

/** Opens the inbox (a sign-in form when the context has no session). */
export async function openInbox(page: Page, server: TestServer, hash = ''): Promise<void> {
  await page.goto(`${server.url}/inbox/${hash}`);
}

/** Signs in through the form with a key pair (the test server's bootstrap pair by default). */
export async function signIn(
  page: Page,
  server: TestServer,
  credentials: { keyId: string; secret: string } = { keyId: TEST_KEY_ID, secret: TEST_SECRET },
): Promise<void> {
  await openInbox(page, server);
  await page.getByLabel('Key ID').fill(credentials.keyId);
  await page.getByLabel('Secret').fill(credentials.secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** A fresh one-time sign-in code for the account `email`, as the start banner or `tapback inbox link` mints. */
export async function mintSignInCode(server: TestServer, email: string): Promise<string> {
  const links = new SignInLinks({
    store: server.server.store,
    clock: { now: () => Date.now(), sleep: async () => undefined },
  });
  const minted = await links.mint(email);
  if (!('code' in minted)) throw new Error(`no sign-in code for ${email}: ${minted.refused}`);
  return minted.code;
}

/** Signs in by opening `/inbox/#sign-in=<code>`. */
export async function signInWithLink(page: Page, server: TestServer, code: string): Promise<void> {
  await openInbox(page, server, `#sign-in=${code}`);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** The conversation list's row whose name contains `name` (a formatted number or a group's name). */
export function conversationRow(page: Page, name: string | RegExp): Locator {
  return page.getByRole('list', { name: 'Conversations' }).getByRole('button').filter({ hasText: name });
}

/** Opens a 1:1 thread by its address (line and contact), as a bookmarked URL would. */
export async function openThreadByUrl(page: Page, server: TestServer, line: string, number: string): Promise<void> {
  const q = new URLSearchParams({ line, number });
  await openInbox(page, server, `#/c/${encodeURIComponent(`${line}:${number}`)}?${q.toString()}`);
  await page.getByRole('log', { name: 'Messages' }).waitFor();
}

/** Clicks a conversation in the list and waits for its thread. */
export async function openConversation(page: Page, name: string | RegExp): Promise<void> {
  await conversationRow(page, name).first().click();
  await page.getByRole('log', { name: 'Messages' }).waitFor();
}

/** The bubble of one message. */
export function bubble(page: Page, handle: string): Locator {
  return page.locator(`[data-handle="${handle}"]`);
}

/** The bubble whose text contains `text` (the newest if several). */
export function bubbleWithText(page: Page, text: string): Locator {
  return page.locator('.bubble[data-handle]').filter({ hasText: text }).last();
}

/** Waits until the message's bubble shows `status` (its `data-status`). */
export async function waitForStatus(page: Page, handle: string, status: string, timeout = 5000): Promise<void> {
  await page.locator(`[data-handle="${handle}"][data-status="${status}"]`).waitFor({ timeout });
}

/** Types into the compose box (optionally with an effect) and presses Enter; answers the new bubble's handle. */
export async function sendFromCompose(page: Page, text: string, options: { effect?: string } = {}): Promise<string> {
  const compose = page.getByRole('form', { name: 'Write a message' });
  if (options.effect !== undefined) await compose.getByLabel('Effect').selectOption(options.effect);
  const box = compose.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
  const sent = bubbleWithText(page, text);
  await sent.waitFor();
  const handle = await sent.getAttribute('data-handle');
  if (handle === null) throw new Error('the sent bubble has no data-handle');
  return handle;
}
