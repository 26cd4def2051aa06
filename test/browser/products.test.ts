import { describe, expect, it } from 'vitest';
import type { ProductListDto } from '@pi/api';
import { importThroughApi, productsCsv } from './api.js';
import { useDashboard } from './browser.js';

/** The products page against the real system: browse, filter, edit and delete. */
describe('products page (browser)', () => {
  const ctx = useDashboard('products', {
    seed: (url) => importThroughApi(url, productsCsv(120)),
  });

  const rows = () => ctx.ui.page.getByTestId('products-table').locator('tbody tr');
  const skus = () =>
    ctx.ui.page.getByTestId('products-table').locator('tbody td.sku').allTextContents();
  const total = async () =>
    ((await (await fetch(`${ctx.stack.gatewayUrl}/api/products?limit=1`)).json()) as ProductListDto)
      .total;

  it('lists products with the total and pages through them with next and previous', async () => {
    const { page } = ctx.ui;
    await page.goto('/products');
    await page.getByTestId('page-range').getByText('1–50 of 120').waitFor();
    expect(await rows().count()).toBe(50);
    await ctx.ui.shot('list');

    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByTestId('page-range').getByText('51–100 of 120').waitFor();
    expect(page.url()).toContain('cursor=');
    const secondPage = page.url();
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByTestId('page-range').getByText('101–120 of 120').waitFor();
    expect(await page.getByRole('button', { name: 'Next →' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: '← Previous' }).click();
    await page.getByTestId('page-range').getByText('51–100 of 120').waitFor();
    expect(page.url()).toBe(secondPage);
    // The browser's back and forward buttons move between pages too, keeping the range right.
    await page.goBack();
    await page.getByTestId('page-range').getByText('101–120 of 120').waitFor();
    await page.goForward();
    await page.getByTestId('page-range').getByText('51–100 of 120').waitFor();
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.getByTestId('page-range').getByText('1–50 of 120').waitFor();
    expect(await page.getByRole('button', { name: '← Previous' }).isDisabled()).toBe(true);

    // A shared link to a later page: the offset is unknown, Previous goes to the first page.
    await page.goto(secondPage);
    await page.getByTestId('page-range').getByText('50 shown of 120').waitFor();
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.getByTestId('page-range').getByText('1–50 of 120').waitFor();
  });

  it('searches as you type and keeps the filters in a URL that survives a reload', async () => {
    const { page } = ctx.ui;
    await page.goto('/products');
    await page.getByLabel('Search').fill('product 011');
    await page.waitForURL(/q=product\+011/);
    await page.getByTestId('page-range').getByText('1–10 of 10').waitFor();
    expect((await skus()).every((s) => s.startsWith('SKU-011'))).toBe(true);

    await page.getByLabel('Status').selectOption('inactive');
    await page.waitForURL(/active=false/);
    // SKU-0111, 0114, 0117 are the inactive ones (every third).
    await page.getByTestId('page-range').getByText('1–3 of 3').waitFor();
    expect(await skus()).toEqual(expect.arrayContaining(['SKU-0111', 'SKU-0114', 'SKU-0117']));

    await page.reload();
    await page.getByTestId('page-range').getByText('1–3 of 3').waitFor();
    expect(await page.getByLabel('Search').inputValue()).toBe('product 011');
    expect(await page.getByLabel('Status').inputValue()).toBe('inactive');
    const exportHref = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    const exported = await (await fetch(`${ctx.stack.gatewayUrl}${exportHref}`)).text();
    expect(exported).toContain('SKU-0114');
    expect(exported).not.toContain('SKU-0112');
    await ctx.ui.shot('filtered');

    await page.goto('/products?sku=0005&name=Product');
    await page.getByTestId('page-range').getByText('1–1 of 1').waitFor();
    expect(await page.getByLabel('SKU', { exact: true }).inputValue()).toBe('0005');

    await page.goto('/products?description=nothing-like-this');
    await page.getByTestId('products-empty').getByText('No products match these filters').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByTestId('page-range').getByText('1–50 of 120').waitFor();
  });

  it('creates a product, refuses a taken SKU on the SKU field, edits and deletes it', async () => {
    const { page } = ctx.ui;
    await page.goto('/products');
    await page.getByRole('button', { name: 'New product' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New product' });
    await dialog.getByLabel('SKU').fill('NEW-1');
    await dialog.getByLabel('Name').fill('');
    await dialog.getByRole('button', { name: 'Create product' }).click();
    await dialog.getByTestId('p-name-error').waitFor();
    expect(await dialog.getByTestId('p-name-error').textContent()).toMatch(/name/i);

    await dialog.getByLabel('Name').fill('Walnut desk');
    await dialog.getByLabel('Description').fill('Solid walnut, 160 cm');
    await dialog.getByRole('button', { name: 'Create product' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Created NEW-1.').waitFor();

    // Same SKU in another case: 409, shown on the SKU field of the dialog.
    await page.getByRole('button', { name: 'New product' }).first().click();
    await dialog.getByLabel('SKU').fill('new-1');
    await dialog.getByLabel('Name').fill('Duplicate');
    await dialog.getByRole('button', { name: 'Create product' }).click();
    await dialog.getByTestId('p-sku-error').waitFor();
    expect(await dialog.getByLabel('SKU').getAttribute('aria-invalid')).toBe('true');
    await ctx.ui.shot('sku-conflict', { fullPage: false });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await page.getByLabel('Search').fill('walnut');
    await page.getByTestId('page-range').getByText('1–1 of 1').waitFor();
    await page.getByRole('button', { name: 'Edit NEW-1' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit product' });
    expect(await edit.getByLabel('Name').inputValue()).toBe('Walnut desk');
    // Renaming onto an existing SKU is a conflict too.
    await edit.getByLabel('SKU').fill('sku-0001');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.getByTestId('p-sku-error').waitFor();
    await edit.getByLabel('SKU').fill('NEW-1');
    await edit.getByLabel('Name').fill('Walnut desk XL');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await edit.waitFor({ state: 'hidden' });
    await page.getByRole('cell', { name: 'Walnut desk XL' }).waitFor();

    const active = page.getByRole('switch', { name: 'Active: NEW-1' });
    expect(await active.getAttribute('aria-checked')).toBe('true');
    await active.click();
    await page.getByText('NEW-1 is now inactive.').waitFor();
    expect(await active.getAttribute('aria-checked')).toBe('false');

    await page.getByRole('button', { name: 'Delete NEW-1' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete product' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Deleted NEW-1.').waitFor();
    await page.getByTestId('products-empty').waitFor();
    expect(await total()).toBe(120);
  });

  it('deletes all products only after the word is typed, and shows the result', async () => {
    const { page } = ctx.ui;
    await page.goto('/products');
    await page.getByTestId('page-range').getByText('1–50 of 120').waitFor();
    await page.getByRole('button', { name: 'Delete all' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete all products' });
    await dialog.getByText('cannot be undone').waitFor();
    const go = dialog.getByRole('button', { name: 'Delete everything' });
    expect(await go.isDisabled()).toBe(true);
    await dialog.getByLabel(/Type DELETE to confirm/).fill('delete');
    expect(await go.isDisabled()).toBe(true);
    await dialog.getByLabel(/Type DELETE to confirm/).fill('DELETE');
    await ctx.ui.shot('delete-all-confirm', { fullPage: false });
    await go.click();
    await dialog.getByTestId('delete-all-result').getByText('Deleted 120 products').waitFor();
    await ctx.ui.shot('delete-all-done', { fullPage: false });
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await page.getByTestId('products-empty').getByText('No products yet').waitFor();
    expect(await total()).toBe(0);
    await ctx.ui.shot('empty');
  });
});
