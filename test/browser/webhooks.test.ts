import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { useDashboard } from './browser.js';

/** What the local receiver got: the event type of each signed POST. */
interface Received {
  type: string;
  signature: string | undefined;
}

/** An HTTP endpoint on 127.0.0.1 that answers every webhook with 200 and records it. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const type = (JSON.parse(body) as { type: string }).type;
      received.push({ type, signature: req.headers['webhook-signature'] as string | undefined });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks`, received };
}

/** The webhooks page against the real system and a real receiver on this machine. */
describe('webhooks page (browser)', () => {
  // The dispatcher refuses loopback addresses unless told otherwise; the receiver is local.
  const ctx = useDashboard('webhooks', { env: { WEBHOOK_ALLOW_PRIVATE: 'true' } });
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
  });

  afterAll(() => {
    receiver?.server.close();
  });

  it('adds a webhook with its events and shows the secret once', async () => {
    const { page } = ctx.ui;
    await page.goto('/webhooks');
    await page.getByTestId('webhooks-empty').waitFor();
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add webhook' });

    await dialog.getByLabel('Endpoint URL').fill('not a url');
    await dialog.getByRole('checkbox', { name: /product\.created/ }).check();
    await dialog.getByRole('button', { name: 'Add webhook' }).click();
    await dialog.getByTestId('w-url-error').waitFor();

    await dialog.getByLabel('Endpoint URL').fill(receiver.url);
    await dialog.getByLabel('Description').fill('ERP sync');
    await dialog.getByRole('checkbox', { name: /product\.updated/ }).check();
    await ctx.ui.shot('add-dialog', { fullPage: false });
    await dialog.getByRole('button', { name: 'Add webhook' }).click();

    const secretDialog = page.getByRole('dialog', { name: 'Webhook signing secret' });
    const secret = await secretDialog.getByTestId('webhook-secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await ctx.ui.shot('secret', { fullPage: false });
    await secretDialog.getByRole('button', { name: 'I have stored it' }).click();
    await secretDialog.waitFor({ state: 'hidden' });

    const item = page.getByTestId('webhook-list').getByRole('listitem');
    expect(await item.count()).toBe(1);
    expect(await item.textContent()).toContain('product.created');
    expect(await item.textContent()).toContain('product.updated');
    expect(await item.textContent()).not.toContain('whsec_');
    await page.reload();
    await page.getByTestId('webhook-list').waitFor();
    expect(await page.content()).not.toContain(secret);
  });

  it('tests the webhook against the receiver and shows the status code and time', async () => {
    const { page } = ctx.ui;
    await page.getByRole('button', { name: 'Test' }).click();
    const result = page.getByTestId('test-result');
    await result.waitFor();
    expect(await result.textContent()).toMatch(/Test: 200 in \d+(\.\d)? m?s/);
    expect(receiver.received.map((r) => r.type)).toContain('webhook.test');
    expect(receiver.received[0]!.signature).toMatch(/^v1,/);
    await ctx.ui.shot('tested');
  });

  it('shows a product event in the delivery log and redelivers it', async () => {
    const { page } = ctx.ui;
    const created = await fetch(`${ctx.stack.gatewayUrl}/api/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'HOOK-1', name: 'Hooked chair' }),
    });
    expect(created.status).toBe(201);
    await vi.waitFor(
      () => expect(receiver.received.map((r) => r.type)).toContain('product.created'),
      { timeout: 30_000, interval: 200 },
    );

    await page.getByRole('button', { name: 'Deliveries' }).click();
    const log = page.getByRole('dialog', { name: /Deliveries/ });
    const row = log.getByTestId('delivery-log').getByRole('row', { name: /product\.created/ });
    // The receiver may answer before the dispatcher has written the attempt down.
    await vi.waitFor(
      async () => {
        await log.getByRole('button', { name: 'Refresh' }).click();
        expect(await row.count()).toBeGreaterThan(0);
      },
      { timeout: 15_000, interval: 500 },
    );
    expect(await row.first().textContent()).toMatch(/succeeded.*200/);
    await ctx.ui.shot('delivery-log', { fullPage: false });

    await row.first().getByRole('button', { name: 'Redeliver' }).click();
    await page.getByText('product.created queued for redelivery.').waitFor();
    await vi.waitFor(
      () => expect(receiver.received.filter((r) => r.type === 'product.created').length).toBe(2),
      { timeout: 30_000, interval: 200 },
    );
    await page.keyboard.press('Escape');
    await log.waitFor({ state: 'hidden' });
  });

  it('disables, edits and deletes the webhook', async () => {
    const { page } = ctx.ui;
    await page.reload();
    const enabled = page.getByRole('switch', { name: `Enabled: ${receiver.url}` });
    expect(await enabled.getAttribute('aria-checked')).toBe('true');
    await enabled.click();
    await vi.waitFor(async () => expect(await enabled.getAttribute('aria-checked')).toBe('false'));

    await page.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit webhook' });
    expect(await dialog.getByLabel('Description').inputValue()).toBe('ERP sync');
    expect(await dialog.getByRole('checkbox', { name: /product\.created/ }).isChecked()).toBe(true);
    await dialog.getByRole('checkbox', { name: /product\.deleted/ }).check();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Webhook saved.').waitFor();
    const item = page.getByTestId('webhook-list').getByRole('listitem');
    expect(await item.textContent()).toContain('product.deleted');

    await page.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete webhook' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByTestId('webhooks-empty').waitFor();
    const list = (await (await fetch(`${ctx.stack.gatewayUrl}/api/webhooks`)).json()) as unknown[];
    expect(list).toHaveLength(0);
  });
});
