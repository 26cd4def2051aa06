import { describe, expect, it } from 'vitest';
import { importThroughApi, productsCsv } from './api.js';
import { useDashboard } from './browser.js';

/** The shell every page shares: navigation, keyboard access and the phone layout. */
describe('dashboard layout (browser)', () => {
  // A filled table is the widest thing a phone has to show.
  const ctx = useDashboard('layout', { seed: (url) => importThroughApi(url, productsCsv(30)) });

  it('navigates between Import, Products and Webhooks and marks the current page', async () => {
    const { page } = ctx.ui;
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Import products',
    );
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Products' }).click();
    await page.waitForURL('**/products');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Products');
    expect(await nav.getByRole('link', { name: 'Products' }).getAttribute('aria-current')).toBe(
      'page',
    );
    await nav.getByRole('link', { name: 'Webhooks' }).click();
    await page.waitForURL('**/webhooks');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Webhooks');
  });

  it('lets browsers keep hashed assets for good and always revalidate the page', async () => {
    const page = await fetch(`${ctx.stack.gatewayUrl}/products`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const asset = /"(\/_app\/immutable\/[^"]+\.js)"/.exec(await page.text())?.[1];
    expect(asset).toBeDefined();
    const res = await fetch(`${ctx.stack.gatewayUrl}${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('reaches the navigation from the keyboard with a skip link first', async () => {
    const { page } = ctx.ui;
    await page.goto('/webhooks');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
  });

  it('opens a dialog from the keyboard, keeps focus in it and returns it on Escape', async () => {
    const { page } = ctx.ui;
    await page.goto('/products');
    const opener = page.getByRole('button', { name: 'New product' }).first();
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New product' });
    await dialog.waitFor();
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
    expect(await focusedId()).toBe('p-sku');
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('fits a phone screen without horizontal scrolling', async () => {
    const { page } = ctx.ui;
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/', '/products', '/webhooks']) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow, path).toBeLessThanOrEqual(0);
      await ctx.ui.shot(`phone${path === '/' ? '-import' : path.replace('/', '-')}`, {
        fullPage: false,
      });
    }
  });
});
