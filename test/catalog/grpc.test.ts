import { randomUUID } from 'node:crypto';
import { newEvent } from '@pi/contracts';
import { waitFor } from '@pi/infra';
import { Publisher, type NatsConnection } from '@pi/messaging';
import { CatalogServiceClient, type ExportProductsResponse } from '@pi/proto';
import { call, clientArgs } from '@pi/service';
import { startTestStack, type TestStack } from '@pi/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestNats, restClient } from './support.js';

/** The gateway's public CatalogService, as an integration calls it. */
describe('products over the public gRPC API', () => {
  let stack: TestStack;
  let client: CatalogServiceClient;
  let nc: NatsConnection;

  beforeAll(async () => {
    stack = await startTestStack({ catalogReplicas: 1 });
    client = new CatalogServiceClient(...clientArgs(stack.gatewayGrpc));
    nc = await connectTestNats(stack.testEnv.env.NATS_URL!);
  });

  afterAll(async () => {
    client?.close();
    await nc?.close();
    await stack?.stop();
  });

  it('creates, lists, updates, exports and deletes', async () => {
    const { product } = await call(client, 'createProduct', {
      sku: ' G-1 ',
      name: 'Grpc lamp',
      description: 'via the gateway',
      active: true,
    });
    expect(product).toMatchObject({ sku: 'G-1', name: 'Grpc lamp', active: true });
    const page = await call(client, 'listProducts', {
      filter: { q: 'grpc' },
      limit: 10,
      cursor: '',
    });
    expect(page.items.map((p) => p.id)).toEqual([product!.id]);
    expect(page.total).toBe(1);
    const updated = await call(client, 'updateProduct', { id: product!.id, active: false });
    expect(updated.product).toMatchObject({ name: 'Grpc lamp', active: false });

    const pieces: Buffer[] = [];
    for await (const m of client.exportProducts({
      filter: { sku: 'g-' },
    }) as AsyncIterable<ExportProductsResponse>) {
      pieces.push(Buffer.from(m.data));
    }
    expect(Buffer.concat(pieces).toString()).toBe(
      'sku,name,description,active\nG-1,Grpc lamp,via the gateway,false\n',
    );

    await call(client, 'deleteProduct', { id: product!.id });
    await expect(call(client, 'getProduct', { id: product!.id })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('keeps the error codes and field details of the catalog', async () => {
    await expect(
      call(client, 'createProduct', { sku: '', name: 'x', description: '' }),
    ).rejects.toMatchObject({ code: 'invalid_argument', details: { field: 'sku' } });
    await call(client, 'createProduct', { sku: 'G-dup', name: 'x', description: '' });
    await expect(
      call(client, 'createProduct', { sku: 'g-DUP', name: 'y', description: '' }),
    ).rejects.toMatchObject({ code: 'conflict', details: { field: 'sku' } });
    await expect(
      call(client, 'listProducts', { filter: {}, limit: 0, cursor: '%%%' }),
    ).rejects.toMatchObject({ code: 'invalid_argument', details: { field: 'cursor' } });
  });

  it('refuses delete-all while an import runs, like the REST API', async () => {
    const importId = randomUUID();
    await new Publisher(nc, stack.testEnv.prefix).publishEvent(
      newEvent(
        'import.created',
        importId,
        { filename: 'busy.csv', objectKey: `imports/${importId}`, totalBytes: 1, epoch: 1 },
        { id: `${importId}:created` },
      ),
    );
    const api = restClient(stack.gatewayUrl);
    await waitFor(
      'the projection to show the import',
      async () => (await api.get(`/api/imports/${importId}`)).status === 200,
      10_000,
    );
    await expect(call(client, 'deleteAllProducts', { confirm: true })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(call(client, 'deleteAllProducts', { confirm: false })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });
});
