import { randomUUID } from 'node:crypto';
import type { ProductDto, ProductListDto } from '@pi/api';
import { waitFor } from '@pi/infra';
import { Publisher, type NatsConnection } from '@pi/messaging';
import { CatalogInternalServiceClient, type ChunkRow } from '@pi/proto';
import { call, clientArgs } from '@pi/service';
import { startTestStack, type TestStack } from '@pi/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestNats, readEvents, restClient, type RestClient } from './support.js';

/**
 * SPEC §3 order semantics between manual writes and imports: an import created before a manual
 * write (smaller epoch) whose chunk is applied after it must not undo the manual write.
 */
describe('products: manual writes against an older import applied later', () => {
  let stack: TestStack;
  let api: RestClient;
  let nc: NatsConnection;
  let internal: CatalogInternalServiceClient;

  beforeAll(async () => {
    stack = await startTestStack({ catalogReplicas: 1 });
    api = restClient(stack.gatewayUrl);
    nc = await connectTestNats(stack.testEnv.env.NATS_URL!);
    const catalog = stack.processes.find((p) => p.name === 'catalog')!;
    internal = new CatalogInternalServiceClient(...clientArgs(`127.0.0.1:${catalog.grpcPort}`));
  });

  afterAll(async () => {
    internal?.close();
    await nc?.close();
    await stack?.stop();
  });

  /** An import's epoch, taken now: it orders before every manual write made after this. */
  const importEpoch = async () =>
    (await call(internal, 'allocateWriteEpoch', { importId: randomUUID() })).epoch;

  /** Publishes one chunk of an import as ingest would and waits until a worker applied it. */
  const applyChunk = async (epoch: number, rows: Omit<ChunkRow, 'line'>[]) => {
    const importId = randomUUID();
    await new Publisher(nc, stack.testEnv.prefix).publishChunk({
      importId,
      seq: 0,
      epoch,
      rows: rows.map((r, i) => ({ ...r, line: i + 2 })),
    });
    await waitFor(
      'the chunk to be applied',
      async () =>
        (await readEvents(nc, stack.testEnv.prefix, 'import.chunk_applied')).some(
          (e) => e.aggregateId === importId,
        ),
      15_000,
    );
  };

  const skus = async () =>
    (await api.get<ProductListDto>('/api/products?limit=500')).body.items.map((p) => p.sku).sort();

  it('keeps an edit and a toggled flag made after the import was created', async () => {
    const created = await api.create({ sku: 'Race-1', name: 'manual v1' });
    const epoch = await importEpoch();
    await api.send('PATCH', `/api/products/${created.body.id}`, {
      name: 'manual v2',
      active: false,
    });
    await applyChunk(epoch, [
      { sku: 'RACE-1', name: 'from import', description: 'imported', active: true },
    ]);
    const { body } = await api.get<ProductDto>(`/api/products/${created.body.id}`);
    expect(body).toMatchObject({ sku: 'Race-1', name: 'manual v2', active: false });
  });

  it('lets a newer import overwrite a manual edit', async () => {
    const created = await api.create({ sku: 'Race-2', name: 'manual' });
    await applyChunk(await importEpoch(), [
      { sku: 'race-2', name: 'newer import', description: 'd', active: false },
    ]);
    const { body } = await api.get<ProductDto>(`/api/products/${created.body.id}`);
    expect(body).toMatchObject({ sku: 'race-2', name: 'newer import', active: false });
  });

  it('does not bring back a product deleted, or an SKU renamed, after the import was created', async () => {
    const deleted = await api.create({ sku: 'Gone-1', name: 'deleted by hand' });
    const renamed = await api.create({ sku: 'Old-1', name: 'renamed by hand' });
    const epoch = await importEpoch();
    expect((await api.send('DELETE', `/api/products/${deleted.body.id}`)).status).toBe(204);
    expect(
      (await api.send('PATCH', `/api/products/${renamed.body.id}`, { sku: 'New-1' })).status,
    ).toBe(200);
    await applyChunk(epoch, [
      { sku: 'gone-1', name: 'old row', description: '' },
      { sku: 'OLD-1', name: 'old row', description: '' },
    ]);
    const present = await skus();
    expect(present).toContain('New-1');
    expect(present).not.toContain('gone-1');
    expect(present).not.toContain('OLD-1');
    expect(present).not.toContain('Old-1');
  });
});
