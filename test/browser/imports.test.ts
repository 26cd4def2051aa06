import { describe, expect, it } from 'vitest';
import { productsCsv } from './api.js';
import { useDashboard } from './browser.js';

/** The import page against the real system: upload, live progress, failure and history. */
describe('import page (browser)', () => {
  const ctx = useDashboard('import', { catalogReplicas: 2 });

  it('uploads a CSV and follows its progress to done, with rejected rows to download', async () => {
    const { page } = ctx.ui;
    await page.goto('/');
    await ctx.ui.shot('empty');
    const good = productsCsv(2000);
    const csv = `${good}BAD-1,,missing name,yes\nBAD-2,Bad active,x,maybe\n`;
    await page.getByTestId('file-input').setInputFiles({
      name: 'catalogue.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });

    const progress = page.getByTestId('import-progress');
    await progress.getByText('catalogue.csv').waitFor();
    await ctx.ui.shot('progress');
    await progress.locator('.badge', { hasText: 'Done' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-percent').textContent()).toBe('100%');
    expect(await page.getByTestId('rows-processed').innerText()).toMatch(/^2,002\s+of 2,002$/);
    expect(await page.getByTestId('count-inserted').textContent()).toContain('2,000');
    expect(await page.getByTestId('count-rejected').textContent()).toContain('2');
    expect(await progress.getByText('Took').isVisible()).toBe(true);
    const download = progress.getByRole('link', { name: 'Download 2 rejected rows' });
    const href = await download.getAttribute('href');
    const rejections = await fetch(`${ctx.stack.gatewayUrl}${href}`);
    expect(rejections.status).toBe(200);
    expect(await rejections.text()).toContain('BAD-2');

    await page.getByText(/Import of catalogue\.csv finished/).waitFor();
    await expect.poll(() => page.getByTestId('status-strip').count()).toBe(0);
    const history = page.getByTestId('import-history');
    await history.getByRole('row', { name: /catalogue\.csv.*Done/ }).waitFor();
    await ctx.ui.shot('done');
  });

  it('updating rows of a second import counts them as updated', async () => {
    const { page } = ctx.ui;
    await page.getByTestId('file-input').setInputFiles({
      name: 'update.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(productsCsv(10).toLowerCase()),
    });
    const progress = page.getByTestId('import-progress');
    await progress.getByRole('heading', { name: 'update.csv' }).waitFor();
    await progress.locator('.badge', { hasText: 'Done' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('count-updated').textContent()).toContain('10');
    expect(await page.getByTestId('count-inserted').textContent()).toContain('0');
  });

  it('falls back to polling when the live stream is unavailable and still reaches done', async () => {
    const { page } = ctx.ui;
    let streamAttempts = 0;
    const polls: string[] = [];
    await page.route('**/api/imports/*/events', (route) => {
      streamAttempts++;
      return route.abort('connectionreset');
    });
    page.on('request', (req) => {
      if (/\/api\/imports\/[^/]+$/.test(new URL(req.url()).pathname)) polls.push(req.url());
    });
    await page.getByTestId('file-input').setInputFiles({
      name: 'no-stream.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(productsCsv(500, 'POLL')),
    });
    const progress = page.getByTestId('import-progress');
    await progress.getByRole('heading', { name: 'no-stream.csv' }).waitFor();
    await progress.locator('.badge', { hasText: 'Done' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('count-inserted').textContent()).toContain('500');
    expect(streamAttempts).toBeGreaterThan(0);
    expect(polls.length).toBeGreaterThan(0);
    await page.unroute('**/api/imports/*/events');
  });

  it('shows the followed import in the status strip on every page', async () => {
    const { page } = ctx.ui;
    // Holding the live stream keeps the dashboard's view of the import at "running".
    await page.route('**/api/imports/*/events', () => undefined);
    await page.getByTestId('file-input').setInputFiles({
      name: 'strip.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(productsCsv(5, 'STRIP')),
    });
    const strip = page.getByTestId('status-strip');
    await strip.getByText('strip.csv').waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Webhooks' })
      .click();
    await page.waitForURL('**/webhooks');
    expect(await strip.textContent()).toContain('strip.csv');
    await strip.getByRole('link', { name: 'View import' }).click();
    await page.waitForURL(/\/$/);
    await page.getByTestId('import-progress').getByRole('heading', { name: 'strip.csv' }).waitFor();
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    // After a reload the dashboard asks the server again: by now the import has finished.
    await page.reload();
    await page
      .getByTestId('import-history')
      .getByRole('row', { name: /strip\.csv.*Done/ })
      .waitFor();
    expect(await strip.count()).toBe(0);
  });

  it('shows why an import failed and offers a retry', async () => {
    const { page } = ctx.ui;
    await page.getByTestId('file-input').setInputFiles({
      name: 'no-sku.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('name,description\nChair,Oak\n'),
    });
    const progress = page.getByTestId('import-progress');
    await progress.getByRole('heading', { name: 'no-sku.csv' }).waitFor();
    const reason = progress.getByRole('alert');
    await reason.waitFor({ timeout: 60_000 });
    expect(await reason.textContent()).toMatch(/failed.*sku/is);
    expect(await progress.getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
    await page
      .getByTestId('import-history')
      .getByRole('row', { name: /no-sku\.csv.*Failed/ })
      .waitFor();
    await ctx.ui.shot('failed');
  });
});
