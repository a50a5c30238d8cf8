import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';

/**
 * Browser tests drive Debian's Chromium (`apt-get install -y chromium`) through playwright-core.
 * A machine without it skips them with a notice naming the package; with
 * TAPBACK_TEST_REQUIRE_BROWSER=1 (set by CI) a missing browser fails the run instead.
 */
export const CHROMIUM_PATH = process.env.TAPBACK_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const HAS_BROWSER = existsSync(CHROMIUM_PATH);

if (!HAS_BROWSER) {
  if (process.env.TAPBACK_TEST_REQUIRE_BROWSER === '1') {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}, and TAPBACK_TEST_REQUIRE_BROWSER=1 requires the browser tests`);
  }
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (install Debian's package: apt-get install -y chromium)`,
  );
}

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: LAUNCH_ARGS });
}

/** A fresh context (own cookies) in the given colour scheme, with a viewport the screenshots share. */
export async function newContext(browser: Browser, colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
  return browser.newContext({ colorScheme, viewport: { width: 1280, height: 800 } });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // The inbox's CSP refuses inline <script> tags; evaluation through the DevTools protocol is not subject to it.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Where the browser tests save their screenshots (docs/images, the README shows the best). */
export const SCREENSHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../docs/images');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}
