import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { ApiErrorBody, DeleteAllResultDto, ImportDto, ProductListDto } from '@pi/api';
import { newEvent } from '@pi/contracts';
import { waitFor } from '@pi/infra';
import { Publisher, type NatsConnection } from '@pi/messaging';
import { startTestStack, type TestStack } from '@pi/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  waitForSearchIndex,
  connectDb,
  connectTestNats,
  readEvents,
  restClient,
  type RestClient,
} from './support.js';

/** Products as a comparable set: what a CSV carries. */
const catalogue = async (api: RestClient) => {
  const { body } = await api.get<ProductListDto>('/api/products?limit=500');
  return body.items
    .map(({ sku, name, description, active }) => ({ sku, name, description, active }))
    .sort((a, b) => a.sku.localeCompare(b.sku));
};

describe('products: delete-all and CSV export', () => {
  let stack: TestStack;
  let api: RestClient;
  let nc: NatsConnection;
  let publisher: Publisher;

  beforeAll(async () => {
    stack = await startTestStack({
      catalogReplicas: 1,
      env: { OUTBOX_POLL_MS: '200', SEARCH_INDEX_QUIET_MS: '300' },
    });
    api = restClient(stack.gatewayUrl);
    nc = await connectTestNats(stack.testEnv.env.NATS_URL!);
    publisher = new Publisher(nc, stack.testEnv.prefix);
  });

  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  });

  const seed = async () => {
    const products = [
      { sku: 'Exp-1', name: 'Plain', description: '', active: true },
      { sku: 'Exp-2', name: 'Comma, "quote"', description: 'two\nlines', active: false },
      { sku: 'Exp-3', name: 'Ünïcödé ✓', description: 'semi;colon', active: true },
      { sku: 'Other-4', name: 'Not exported by the filter', description: 'x', active: true },
    ];
    for (const p of products) expect((await api.create(p)).status).toBe(201);
  };

  it('refuses delete-all without confirm=true', async () => {
    for (const query of ['', '?confirm=false', '?confirm=nope']) {
      const res = await api.send<ApiErrorBody>('DELETE', `/api/products${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.details).toEqual({ field: 'confirm' });
    }
  });

  it('refuses delete-all with 409 while an import runs, then deletes once it ended', async () => {
    await seed();
    const importId = randomUUID();
    await publisher.publishEvent(
      newEvent(
        'import.created',
        importId,
        { filename: 'running.csv', objectKey: `imports/${importId}`, totalBytes: 10, epoch: 1 },
        { id: `${importId}:created` },
      ),
    );
    await waitFor(
      'the projection to show the import',
      async () => {
        const res = await api.get<ImportDto>(`/api/imports/${importId}`);
        return res.status === 200;
      },
      10_000,
    );
    const refused = await api.send<ApiErrorBody>('DELETE', '/api/products?confirm=true');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('running.csv');
    expect((await catalogue(api)).length).toBe(4);

    await publisher.publishEvent(
      newEvent('import.cancelled', importId, { reason: 'test' }, { id: `${importId}:cancelled` }),
    );
    await waitFor(
      'the import to end',
      async () => {
        const res = await api.get<ImportDto>(`/api/imports/${importId}`);
        return res.body.status === 'cancelled';
      },
      10_000,
    );
    const done = await api.send<DeleteAllResultDto>('DELETE', '/api/products?confirm=true');
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ deleted: 4 });
    expect(await catalogue(api)).toEqual([]);
    await waitFor(
      'the products.deleted_all event',
      async () =>
        (await readEvents(nc, stack.testEnv.prefix, 'products.deleted_all')).some(
          (e) => e.payload?.$case === 'productsDeletedAll' && e.payload.value.deleted === 4,
        ),
      10_000,
    );
  });

  it('exports the filtered products as CSV that re-imports to the same catalogue', async () => {
    await seed();
    const filtered = await fetch(`${stack.gatewayUrl}/api/products/export.csv?sku=exp-`);
    expect(filtered.status).toBe(200);
    expect(filtered.headers.get('content-type')).toContain('text/csv');
    const rows = parse(await filtered.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.sku).sort()).toEqual(['Exp-1', 'Exp-2', 'Exp-3']);
    expect(rows.find((r) => r.sku === 'Exp-2')).toEqual({
      sku: 'Exp-2',
      name: 'Comma, "quote"',
      description: 'two\nlines',
      active: 'false',
    });

    const before = await catalogue(api);
    const csv = await (await fetch(`${stack.gatewayUrl}/api/products/export.csv`)).text();
    expect((await api.send('DELETE', '/api/products?confirm=true')).status).toBe(200);
    const upload = await fetch(`${stack.gatewayUrl}/api/imports`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    expect(upload.status).toBe(202);
    const { id } = (await upload.json()) as ImportDto;
    await waitFor(
      'the re-import to complete',
      async () => {
        const res = await api.get<ImportDto>(`/api/imports/${id}`);
        if (res.body.status === 'failed') throw new Error(`import failed: ${res.body.error}`);
        return res.body.status === 'completed';
      },
      60_000,
    );
    expect(await catalogue(api)).toEqual(before);
  });

  it('exports a header only when nothing matches, and refuses a bad filter', async () => {
    const empty = await fetch(`${stack.gatewayUrl}/api/products/export.csv?q=no-such-thing`);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('sku,name,description,active\n');
    const bad = await fetch(`${stack.gatewayUrl}/api/products/export.csv?active=perhaps`);
    expect(bad.status).toBe(400);
  });

  it('finds none of the deleted products at once, and empties the search documents soon after', async () => {
    const db = await connectDb(stack.testEnv.databaseUrl);
    try {
      await api.send('DELETE', '/api/products?confirm=true');
      await seed();
      const documents = async () =>
        Number((await db.query('select count(*) as n from product_search')).rows[0].n);
      await waitForSearchIndex(db);
      expect(await documents()).toBe(4);

      expect((await api.send('DELETE', '/api/products?confirm=true')).status).toBe(200);
      const search = async () => {
        const { body } = await api.get<ProductListDto>('/api/products?q=exp');
        return { skus: body.items.map((p) => p.sku), total: body.total };
      };
      expect(await search()).toEqual({ skus: [], total: 0 });
      const created = await api.create({ sku: 'Exp-9', name: 'After the delete' });
      expect(created.status).toBe(201);
      expect(await search()).toEqual({ skus: ['Exp-9'], total: 1 });

      await waitForSearchIndex(db);
      expect(await documents()).toBe(1);
      expect(await search()).toEqual({ skus: ['Exp-9'], total: 1 });
    } finally {
      await db.end();
    }
  });
});
