import { randomUUID } from 'node:crypto';
import { newEvent } from '@pi/contracts';
import { waitReady } from '@pi/infra';
import { createLogger } from '@pi/logger';
import { connectNats, Publisher, type NatsConnection } from '@pi/messaging';
import { startTestStack, type TestStack } from '@pi/testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, Receiver, restClient, webhookTestEnv } from './receiver.js';

/**
 * Delivery end to end: events published on NATS reach real HTTP receivers through the dispatcher
 * process, signed, retried from PostgreSQL and logged.
 */
describe('webhook delivery', () => {
  let stack: TestStack;
  let nc: NatsConnection;
  let publisher: Publisher;
  let db: pg.Pool;
  let api: ReturnType<typeof restClient>;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    // Four attempts: at once, +300 ms, +600 ms, +3 s (the last step also caps Retry-After).
    stack = await startTestStack({
      catalogReplicas: 1,
      env: webhookTestEnv('0,300ms,600ms,3s'),
    });
    nc = await connectNats(
      stack.testEnv.env.NATS_URL!,
      'webhook-test',
      createLogger('t', 'silent'),
    );
    publisher = new Publisher(nc, stack.testEnv.prefix);
    db = new pg.Pool({ connectionString: stack.testEnv.databaseUrl, max: 2 });
    api = restClient(stack.gatewayUrl);
  });

  afterAll(async () => {
    await db?.end();
    await nc?.close();
    await Promise.all(receivers.map((r) => r.stop()));
    await stack?.stop();
  });

  afterEach(async () => {
    for (const r of receivers) expect(r.unverified, 'every delivery verifies').toEqual([]);
    const { body } = await api.get('/api/webhooks');
    for (const w of body) await api.delete(`/api/webhooks/${w.id}`);
  });

  async function receiverWithWebhook(events: string[], enabled = true) {
    const receiver = await new Receiver().start();
    receivers.push(receiver);
    const res = await api.post('/api/webhooks', { url: receiver.url, events, enabled });
    expect(res.status).toBe(201);
    receiver.secret = res.body.secret;
    return { receiver, webhook: res.body as { id: string; secret: string } };
  }

  const productEvent = (type: 'product.created' | 'product.deleted', sku: string) =>
    newEvent(type, sku, {
      product: {
        id: '1',
        sku,
        name: `Name of ${sku}`,
        description: '',
        active: true,
        createdAt: new Date(),
        updatedAt: new Date(),
      },
    });

  const deliveriesOf = async (webhookId: string) =>
    Number(
      (
        await db.query('select count(*) as n from webhook_deliveries where webhook_id = $1', [
          webhookId,
        ])
      ).rows[0].n,
    );

  const log = async (webhookId: string, query = '') =>
    (await api.get(`/api/webhooks/${webhookId}/deliveries${query}`)).body;

  it('delivers an event once to each enabled subscriber and to nobody else', async () => {
    const a = await receiverWithWebhook(['product.created']);
    const b = await receiverWithWebhook(['product.created', 'import.completed']);
    const disabled = await receiverWithWebhook(['product.created'], false);
    const other = await receiverWithWebhook(['product.updated']);

    const event = productEvent('product.created', 'SKU-1');
    await publisher.publishEvent(event);
    await eventually('both subscribers to receive it', () =>
      a.receiver.received.length === 1 && b.receiver.received.length === 1 ? true : undefined,
    );

    for (const { receiver } of [a, b]) {
      const [got] = receiver.received;
      expect(got!.payload.type).toBe('product.created');
      expect(got!.payload.timestamp).toBe(event.occurredAt!.toISOString());
      expect(got!.payload.data).toMatchObject({ product: { sku: 'SKU-1', name: 'Name of SKU-1' } });
      expect(got!.headers['content-type']).toBe('application/json');
    }
    // Fan-out is one statement per event: by now every delivery of it exists.
    expect(await deliveriesOf(a.webhook.id)).toBe(1);
    expect(await deliveriesOf(b.webhook.id)).toBe(1);
    expect(await deliveriesOf(disabled.webhook.id)).toBe(0);
    expect(await deliveriesOf(other.webhook.id)).toBe(0);
    expect(disabled.receiver.received).toEqual([]);
    expect(other.receiver.received).toEqual([]);

    const [attempt] = (await log(a.webhook.id)).items;
    expect(attempt).toMatchObject({
      eventId: event.id,
      eventType: 'product.created',
      attempt: 1,
      status: 'succeeded',
      statusCode: 200,
      error: null,
      responseExcerpt: 'ok',
      nextAttemptAt: null,
    });
    expect(a.receiver.received[0]!.headers['webhook-id']).toBe(attempt.deliveryId);
    const health = (await api.get(`/api/webhooks/${a.webhook.id}`)).body;
    expect(health).toMatchObject({ lastStatusCode: 200, consecutiveFailures: 0 });
    expect(health.lastDeliveryAt).not.toBeNull();
  });

  it('delivers product events of writes made through the REST API, once each', async () => {
    const created = await receiverWithWebhook(['product.created']);
    const changes = await receiverWithWebhook(['product.updated', 'product.deleted']);
    const disabled = await receiverWithWebhook(['product.created', 'product.deleted'], false);

    const product = await api.post('/api/products', { sku: 'Api-1', name: 'Made by hand' });
    expect(product.status).toBe(201);
    expect((await api.patch(`/api/products/${product.body.id}`, { name: 'Renamed' })).status).toBe(
      200,
    );
    expect((await api.delete(`/api/products/${product.body.id}`)).status).toBe(204);

    await eventually('the created and the two change deliveries', () =>
      created.receiver.received.length === 1 && changes.receiver.received.length === 2
        ? true
        : undefined,
    );
    expect(created.receiver.received[0]!.payload).toMatchObject({
      type: 'product.created',
      data: { product: { id: product.body.id, sku: 'Api-1', name: 'Made by hand' } },
    });
    const types = changes.receiver.received.map((r) => r.payload.type).sort();
    expect(types).toEqual(['product.deleted', 'product.updated']);
    const updated = changes.receiver.received.find((r) => r.payload.type === 'product.updated')!;
    expect(updated.payload.data).toMatchObject({
      product: { name: 'Renamed' },
      previous: { name: 'Made by hand' },
    });
    expect(await deliveriesOf(created.webhook.id)).toBe(1);
    expect(await deliveriesOf(disabled.webhook.id)).toBe(0);
  });

  it('delivers import.completed with the import counts', async () => {
    const { receiver } = await receiverWithWebhook(['import.completed']);
    const importId = randomUUID();
    await publisher.publishEvent(
      newEvent(
        'import.completed',
        importId,
        { totalRows: 10, inserted: 6, updated: 3, rejected: 1 },
        { id: `${importId}:completed` },
      ),
    );
    const got = await eventually('the import.completed delivery', () => receiver.received[0]);
    expect(got.payload).toMatchObject({
      type: 'import.completed',
      data: { totalRows: 10, inserted: 6, updated: 3, rejected: 1 },
    });
  });

  it('delivers import.completed with the counts of a real CSV import', async () => {
    const { receiver } = await receiverWithWebhook(['import.completed', 'import.failed']);
    const csv = 'sku,name\nCSV-1,First\ncsv-2,Second\nCSV-1,First again\n,nameless\n';
    const res = await fetch(`${stack.gatewayUrl}/api/imports?filename=hooks.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const got = await eventually('the import.completed delivery', () => receiver.received[0]);
    expect(got.payload).toMatchObject({
      type: 'import.completed',
      data: { totalRows: 4, inserted: 2, updated: 1, rejected: 1 },
    });
    expect(got.headers['webhook-id']).toEqual(expect.any(String));
    const attempt = (await log((await api.get('/api/webhooks')).body[0].id)).items[0];
    expect(attempt.eventId).toBe(`${id}:completed`);
  });

  it('retries 500, 500, 200: three attempts logged, delivered once', async () => {
    const { receiver, webhook } = await receiverWithWebhook(['product.deleted']);
    receiver.reply = (n) => ({ status: n < 3 ? 500 : 200 });
    await publisher.publishEvent(productEvent('product.deleted', 'SKU-2'));

    const items = await eventually('three attempts', async () => {
      const page = await log(webhook.id);
      return page.items.length === 3 && page.items[0].status === 'succeeded' ? page.items : null;
    });
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(items.map((i: { attempt: number }) => i.attempt)).toEqual([3, 2, 1]);
    expect(items.map((i: { status: string }) => i.status)).toEqual([
      'succeeded',
      'failed',
      'failed',
    ]);
    expect(items.map((i: { statusCode: number }) => i.statusCode)).toEqual([200, 500, 500]);
    expect(items[1].nextAttemptAt).not.toBeNull();
    expect(new Set(items.map((i: { deliveryId: string }) => i.deliveryId)).size).toBe(1);
    expect(await deliveriesOf(webhook.id)).toBe(1);

    // Newest first, in pages.
    const first = await log(webhook.id, '?limit=2');
    expect(first.items.map((i: { attempt: number }) => i.attempt)).toEqual([3, 2]);
    const second = await log(webhook.id, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((i: { attempt: number }) => i.attempt)).toEqual([1]);
    expect(second.nextCursor).toBeNull();
  });

  it('exhausts a delivery to an endpoint that stays down, and redelivers it by hand', async () => {
    const { receiver, webhook } = await receiverWithWebhook(['product.created']);
    await receiver.stop();
    await publisher.publishEvent(productEvent('product.created', 'SKU-3'));

    const items = await eventually('the schedule to run out', async () => {
      const page = await log(webhook.id);
      return page.items[0]?.status === 'exhausted' ? page.items : null;
    });
    expect(items).toHaveLength(4);
    expect(items[0]).toMatchObject({ attempt: 4, statusCode: null, nextAttemptAt: null });
    expect(items[0].error).toMatch(/ECONNREFUSED/);
    const health = (await api.get(`/api/webhooks/${webhook.id}`)).body;
    expect(health).toMatchObject({ consecutiveFailures: 4, lastStatusCode: null });

    await receiver.start(receiver.port);
    const redelivered = await api.post(
      `/api/webhooks/${webhook.id}/deliveries/${items[0].deliveryId}/redeliver`,
    );
    expect(redelivered.status).toBe(200);
    expect(redelivered.body).toMatchObject({ attempt: 5, status: 'succeeded', statusCode: 200 });
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.headers['webhook-id']).toBe(items[0].deliveryId);
    expect((await api.get(`/api/webhooks/${webhook.id}`)).body.consecutiveFailures).toBe(0);

    const unknown = await api.post(
      `/api/webhooks/${webhook.id}/deliveries/${randomUUID()}/redeliver`,
    );
    expect(unknown.status).toBe(404);
  });

  it('disables a webhook whose endpoint answers 410 Gone', async () => {
    const { receiver, webhook } = await receiverWithWebhook(['product.created']);
    receiver.reply = () => ({ status: 410 });
    await publisher.publishEvent(productEvent('product.created', 'SKU-4'));
    const attempt = await eventually(
      'the 410 attempt',
      async () => (await log(webhook.id)).items[0],
    );
    expect(attempt).toMatchObject({ status: 'exhausted', statusCode: 410, nextAttemptAt: null });
    expect(attempt.error).toMatch(/410 Gone/);
    expect((await api.get(`/api/webhooks/${webhook.id}`)).body.enabled).toBe(false);
  });

  it('keeps a retry across a dispatcher crash mid-backoff', async () => {
    const { receiver, webhook } = await receiverWithWebhook(['product.created']);
    // Retry-After: 3 pushes the retry 3 s out (the schedule's longest step).
    receiver.reply = (n) =>
      n === 1 ? { status: 503, headers: { 'retry-after': '3' } } : { status: 200 };
    await publisher.publishEvent(productEvent('product.created', 'SKU-5'));
    const first = await eventually(
      'the first attempt',
      async () => (await log(webhook.id)).items[0],
    );
    expect(first).toMatchObject({ status: 'failed', statusCode: 503 });
    expect(Date.parse(first.nextAttemptAt) - Date.parse(first.createdAt)).toBeGreaterThanOrEqual(
      2_900,
    );

    const queued = await api.post(
      `/api/webhooks/${webhook.id}/deliveries/${first.deliveryId}/redeliver`,
    );
    expect(queued.status).toBe(409);
    expect(queued.body.error.message).toMatch(/still queued/);

    const dispatcher = stack.processes.find((p) => p.name === 'webhook-dispatcher')!;
    await dispatcher.stop('SIGKILL');
    expect(receiver.received).toHaveLength(1);
    const restarted = await stack.spawnService('webhook-dispatcher');
    await waitReady(restarted, stack.logDir);

    await eventually('the retry after the restart', () => receiver.received.length === 2);
    // The gateway's channel reconnects with backoff after the outage.
    await eventually(
      'the gateway to reach the dispatcher again',
      async () => (await api.get('/api/webhooks')).status === 200,
    );
    const items = (await log(webhook.id)).items;
    expect(items[0]).toMatchObject({ attempt: 2, status: 'succeeded', statusCode: 200 });
  });

  it('a slow endpoint does not delay deliveries to a fast one', async () => {
    const slow = await receiverWithWebhook(['products.deleted_all']);
    const fast = await receiverWithWebhook(['products.deleted_all']);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    slow.receiver.reply = () => ({ status: 200, holdUntil: released });

    for (let i = 0; i < 6; i++) {
      await publisher.publishEvent(newEvent('products.deleted_all', 'all', { deleted: i }));
    }
    await eventually('the fast endpoint to get all six', () => fast.receiver.received.length === 6);
    // The slow one holds its first requests; its per-endpoint limit (2) keeps the rest queued.
    expect(slow.receiver.received.length).toBeLessThanOrEqual(2);
    release();
    await eventually('the slow endpoint to catch up', () => slow.receiver.received.length === 6);
    const data = slow.receiver.received.map((r) => r.payload.data.deleted ?? 0).sort();
    expect(data).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reports delivery metrics', async () => {
    const dispatcher = stack.processes.filter((p) => p.name === 'webhook-dispatcher').at(-1)!;
    const text = await (await fetch(`http://127.0.0.1:${dispatcher.httpPort}/metrics`)).text();
    expect(text).toMatch(/webhook_deliveries_total\{result="succeeded"[^}]*\} \d+/);
    expect(text).toContain('webhook_attempt_duration_seconds_bucket');
    expect(text).toMatch(/webhook_queue_depth\{[^}]*\} \d+/);
  });
});
