import { credentials, status } from '@grpc/grpc-js';
import { WebhookServiceClient } from '@pi/proto';
import { call } from '@pi/service';
import { startTestStack, type TestStack } from '@pi/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver, restClient, webhookTestEnv } from './receiver.js';

/** The webhook API through the gateway: validation, SSRF refusals, test sends, the public gRPC. */
describe('webhook API', () => {
  let stack: TestStack;
  let api: ReturnType<typeof restClient>;
  let receiver: Receiver;

  beforeAll(async () => {
    stack = await startTestStack({ catalogReplicas: 1, env: webhookTestEnv('0,200ms') });
    api = restClient(stack.gatewayUrl);
    receiver = await new Receiver().start();
  });

  afterAll(async () => {
    await receiver?.stop();
    await stack?.stop();
  });

  const create = (body: Record<string, unknown>) =>
    api.post('/api/webhooks', { events: ['product.created'], ...body });

  it('lists the event types a webhook can subscribe to', async () => {
    const res = await api.get('/api/event-types');
    expect(res.status).toBe(200);
    expect(res.body.map((t: { name: string }) => t.name)).toEqual([
      'product.created',
      'product.updated',
      'product.deleted',
      'products.deleted_all',
      'import.completed',
      'import.failed',
    ]);
    for (const t of res.body) expect(t.description).toMatch(/\w+/);
  });

  it('creates, reads, updates and deletes a webhook; the secret shows only on create and rotate', async () => {
    const created = await create({ url: receiver.url, description: ' orders ' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      url: receiver.url,
      events: ['product.created'],
      enabled: true,
      description: 'orders',
      lastStatusCode: null,
      lastDeliveryAt: null,
      consecutiveFailures: 0,
    });
    expect(created.body.secret).toMatch(/^whsec_/);
    const id = created.body.id;

    const one = await api.get(`/api/webhooks/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.secret).toBeUndefined();
    const list = await api.get('/api/webhooks');
    expect(list.body.find((w: { id: string }) => w.id === id)).toBeDefined();
    expect(list.body.every((w: { secret?: string }) => w.secret === undefined)).toBe(true);

    const patched = await api.patch(`/api/webhooks/${id}`, {
      events: ['import.completed', 'import.failed', 'import.completed'],
      enabled: false,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      url: receiver.url,
      events: ['import.completed', 'import.failed'],
      enabled: false,
      description: 'orders',
    });
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(created.body.updatedAt),
    );

    const rotated = await api.post(`/api/webhooks/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);

    // The test send is signed with the new secret.
    receiver.secret = rotated.body.secret;
    const test = await api.post(`/api/webhooks/${id}/test`);
    expect(test.body).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(receiver.unverified).toEqual([]);

    expect((await api.delete(`/api/webhooks/${id}`)).status).toBe(204);
    expect((await api.get(`/api/webhooks/${id}`)).status).toBe(404);
    expect((await api.delete(`/api/webhooks/${id}`)).status).toBe(404);
  });

  it.each([
    ['url', { url: undefined }, /url is required/],
    ['url', { url: 'not a url' }, /not an absolute URL/],
    ['url', { url: '/relative/path' }, /not an absolute URL/],
    ['url', { url: 'ftp://example.com/x' }, /http or https/],
    ['url', { url: 42 }, /url must be a string/],
    ['events', { url: 'https://example.com', events: [] }, /at least one event/],
    [
      'events',
      { url: 'https://example.com', events: ['product.exploded'] },
      /unknown event types: product.exploded/,
    ],
    ['events', { url: 'https://example.com', events: ['webhook.test'] }, /unknown event types/],
    [
      'events',
      { url: 'https://example.com', events: 'product.created' },
      /list of event type names/,
    ],
    ['enabled', { url: 'https://example.com', enabled: 'yes' }, /true or false/],
    [
      'description',
      { url: 'https://example.com', description: '1001 characters'.padEnd(1001, '.') },
      /at most 1000/,
    ],
  ])('refuses a bad %s (case %#), naming the field', async (field, body, message) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_argument');
    expect(res.body.error.message).toMatch(message);
    expect(res.body.error.details.field).toBe(field);
  });

  it('refuses malformed JSON and unknown ids', async () => {
    const res = await fetch(`${stack.gatewayUrl}/api/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"url":',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_argument');
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      expect((await api.get(`/api/webhooks/${id}`)).status).toBe(404);
      expect((await api.patch(`/api/webhooks/${id}`, { enabled: true })).status).toBe(404);
      expect((await api.post(`/api/webhooks/${id}/test`)).status).toBe(404);
      expect((await api.get(`/api/webhooks/${id}/deliveries`)).status).toBe(404);
    }
  });

  it.each([
    [
      'http://169.254.169.254/latest/meta-data/',
      /169.254.169.254 is a link-local \(cloud metadata\) address/,
    ],
    ['http://[::ffff:169.254.169.254]/', /\(169.254.169.254\) is a link-local/],
    ['http://10.0.0.1/hook', /10.0.0.1 is a private address/],
    ['http://[::1]:9/hook', /::1 is a loopback address/],
    ['http://100.64.0.1/hook', /carrier-grade NAT/],
    ['http://[fd00::1]/hook', /unique-local/],
    [
      'http://localhost:9/hook',
      /127.0.0.1 is a loopback address \(localhost resolves to it\)|::1 is a loopback address \(localhost resolves to it\)/,
    ],
  ])('refuses %s as a destination', async (url, reason) => {
    const res = await create({ url });
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('url');
    expect(res.body.error.message).toMatch(reason);
  });

  it('refuses moving a webhook to a forbidden destination', async () => {
    const { body } = await create({ url: receiver.url });
    const res = await api.patch(`/api/webhooks/${body.id}`, { url: 'http://10.1.2.3/' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('url');
    expect((await api.get(`/api/webhooks/${body.id}`)).body.url).toBe(receiver.url);
  });

  it('test reports the status code and duration, and errors for unreachable hosts', async () => {
    const { body: webhook } = await create({ url: receiver.url });
    receiver.secret = webhook.secret;
    receiver.reply = () => ({ status: 500 });
    const failed = await api.post(`/api/webhooks/${webhook.id}/test`);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({
      ok: false,
      statusCode: 500,
      error: 'The endpoint answered 500',
    });
    expect(failed.body.durationMs).toBeGreaterThanOrEqual(0);
    const sent = receiver.received.at(-1)!;
    expect(sent.payload).toMatchObject({ type: 'webhook.test', data: { webhookId: webhook.id } });
    expect(sent.headers['webhook-id']).toMatch(/^test_/);
    receiver.reply = () => ({ status: 200 });

    // Nothing listens on the closed receiver's port.
    const closed = await new Receiver().start();
    const closedUrl = closed.url;
    await closed.stop();
    const refused = await create({ url: closedUrl });
    const down = await api.post(`/api/webhooks/${refused.body.id}/test`);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ ok: false, statusCode: null });
    expect(down.body.error).toMatch(/ECONNREFUSED/);

    // A name that does not resolve is accepted at create (it is checked before every send).
    const unknownHost = await create({ url: 'http://no-such-host.invalid/hook' });
    expect(unknownHost.status).toBe(201);
    const unresolved = await api.post(`/api/webhooks/${unknownHost.body.id}/test`);
    expect(unresolved.body).toMatchObject({ ok: false, statusCode: null });
    expect(unresolved.body.error).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect(receiver.unverified).toEqual([]);
  });

  it('does not follow redirects', async () => {
    const target = await new Receiver().start();
    const { body: webhook } = await create({ url: receiver.url });
    receiver.secret = webhook.secret;
    receiver.reply = () => ({ status: 302, headers: { location: target.url } });
    const res = await api.post(`/api/webhooks/${webhook.id}/test`);
    receiver.reply = () => ({ status: 200 });
    await target.stop();
    expect(res.body).toMatchObject({ ok: false, statusCode: 302 });
    expect(target.received).toEqual([]);
    expect(target.unverified).toEqual([]);
  });

  it('pages an empty delivery log and refuses bad paging', async () => {
    const { body: webhook } = await create({ url: receiver.url });
    const empty = await api.get(`/api/webhooks/${webhook.id}/deliveries`);
    expect(empty.body).toEqual({ items: [], nextCursor: null });
    for (const q of ['limit=abc', 'limit=0', 'limit=500', 'cursor=xyz']) {
      const res = await api.get(`/api/webhooks/${webhook.id}/deliveries?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.details.field, q).toBe(q.split('=')[0]);
    }
  });

  it('offers the same operations over the public gRPC API', async () => {
    const client = new WebhookServiceClient(stack.gatewayGrpc, credentials.createInsecure());
    try {
      const types = await call(client, 'listEventTypes', {});
      expect(types.eventTypes).toHaveLength(6);
      const created = await call(client, 'createWebhook', {
        url: receiver.url,
        events: ['product.deleted'],
        enabled: undefined,
        description: 'grpc',
      });
      expect(created.webhook!.secret).toMatch(/^whsec_/);
      const got = await call(client, 'getWebhook', { id: created.webhook!.id });
      expect(got.webhook).toMatchObject({ description: 'grpc', secret: undefined });

      const bad = await call(client, 'createWebhook', {
        url: 'http://169.254.169.254/',
        events: ['product.deleted'],
        enabled: undefined,
        description: '',
      }).catch((e: unknown) => e);
      expect(bad).toMatchObject({ code: 'invalid_argument', details: { field: 'url' } });
      const missing = await new Promise<{ code?: number }>((resolve) =>
        client.getWebhook({ id: 'nope' }, (err) => resolve(err ?? {})),
      );
      expect(missing.code).toBe(status.NOT_FOUND);
    } finally {
      client.close();
    }
  });
});
