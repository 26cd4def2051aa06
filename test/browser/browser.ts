import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestStack, testInfra, type TestStack } from '@pi/testing';

/** Debian's Chromium, as CI installs it; playwright's own browsers are never downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * `.data/screenshots/<run>/`, named after the run's own test folder (`run-<pid>`), which the test
 * harness deletes at the end; screenshots outlive it so they can be looked at.
 */
function screenshotDir(): string {
  const run = path.basename(testInfra().dataDir);
  const dir = path.resolve(process.env.PI_DATA_DIR ?? '.data', 'screenshots', run);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface Dashboard {
  browser: Browser;
  page: Page;
  /**
   * Saves a screenshot as `<suite>-<name>.png` and returns its path: the whole page, or only the
   * viewport when a modal dialog is open (the backdrop covers just the viewport).
   */
  shot(name: string, options?: { fullPage?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/** A headless Chromium on the dashboard; screenshots go to the folder it prints. */
export async function openDashboard(baseUrl: string, suite: string): Promise<Dashboard> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1280, height: 860 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const dir = screenshotDir();
  console.log(`[browser] ${suite}: screenshots in ${dir}`);
  return {
    browser,
    page,
    async shot(name, { fullPage = true } = {}) {
      const file = path.join(dir, `${suite}-${name}.png`);
      await page.screenshot({ path: file, fullPage });
      return file;
    },
    close: () => browser.close(),
  };
}

export interface DashboardSuite {
  stack: TestStack;
  ui: Dashboard;
}

/**
 * Starts the whole system (seeded through its API when asked) and a browser on it before the
 * file's tests, and stops both after them. The fields are set once `beforeAll` has run.
 */
export function useDashboard(
  suite: string,
  options: {
    env?: Record<string, string>;
    catalogReplicas?: number;
    seed?: (gatewayUrl: string) => Promise<unknown>;
  } = {},
): DashboardSuite {
  const ctx = {} as DashboardSuite;
  beforeAll(async () => {
    ctx.stack = await startTestStack({
      catalogReplicas: options.catalogReplicas ?? 1,
      env: options.env,
    });
    await options.seed?.(ctx.stack.gatewayUrl);
    ctx.ui = await openDashboard(ctx.stack.gatewayUrl, suite);
  });
  afterAll(async () => {
    await ctx.ui?.close();
    await ctx.stack?.stop();
  });
  return ctx;
}
