import type { ApiErrorBody, ProductDto, ProductListDto } from '@pi/api';
import { waitFor } from '@pi/infra';
import type { NatsConnection } from '@pi/messaging';
import { startTestStack, type TestStack } from '@pi/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  waitForSearchIndex,
  connectDb,
  connectTestNats,
  readEvents,
  restClient,
  seedProducts,
  type RestClient,
} from './support.js';

/** Product CRUD, its rules and its events, through the gateway's REST API. */
describe('products: CRUD, rules and events', () => {
  let stack: TestStack;
  let api: RestClient;
  let nc: NatsConnection;

  beforeAll(async () => {
    stack = await startTestStack({ catalogReplicas: 1, env: { OUTBOX_POLL_MS: '200' } });
    api = restClient(stack.gatewayUrl);
    nc = await connectTestNats(stack.testEnv.env.NATS_URL!);
  });

  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  });

  it('creates, reads, updates and deletes a product, trimming every field', async () => {
    const created = await api.create({
      sku: '  Crud-1 ',
      name: ' Lamp ',
      description: ' Bright ',
      active: false,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      sku: 'Crud-1',
      name: 'Lamp',
      description: 'Bright',
      active: false,
    });
    const id = created.body.id;
    expect((await api.get<ProductDto>(`/api/products/${id}`)).body).toEqual(created.body);

    const patched = await api.send<ProductDto>('PATCH', `/api/products/${id}`, { active: true });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ sku: 'Crud-1', name: 'Lamp', active: true });

    const renamed = await api.send<ProductDto>('PATCH', `/api/products/${id}`, {
      sku: 'CRUD-1',
      name: 'Desk lamp',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ sku: 'CRUD-1', name: 'Desk lamp', description: 'Bright' });

    expect((await api.send('DELETE', `/api/products/${id}`)).status).toBe(204);
    const gone = await api.get<ApiErrorBody>(`/api/products/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('not_found');
  });

  it.each([
    ['a missing sku', { name: 'x' }, 'sku'],
    ['a blank sku', { sku: '   ', name: 'x' }, 'sku'],
    ['a sku over 255 characters', { sku: 'x'.repeat(256), name: 'x' }, 'sku'],
    ['a missing name', { sku: 'v-1' }, 'name'],
    ['a name over 1000 characters', { sku: 'v-1', name: 'n'.repeat(1001) }, 'name'],
    [
      'a description over 20000 characters',
      { sku: 'v-1', name: 'x', description: 'd'.repeat(20_001) },
      'description',
    ],
    ['a non-string name', { sku: 'v-1', name: 42 }, 'name'],
    ['a non-boolean active', { sku: 'v-1', name: 'x', active: 'yes' }, 'active'],
  ])('refuses a create with %s (400 naming the field)', async (_case, input, field) => {
    const res = await api.create(input);
    expect(res.status).toBe(400);
    expect((res.body as unknown as ApiErrorBody).error).toMatchObject({
      code: 'invalid_argument',
      details: { field },
    });
  });

  it('accepts the longest values the rules allow, counting characters not bytes', async () => {
    const res = await api.create({
      sku: 'ü'.repeat(255),
      name: 'é'.repeat(1000),
      description: '€'.repeat(20_000),
    });
    expect(res.status).toBe(201);
  });

  it('answers a malformed JSON body, a bad id and an unknown id clearly', async () => {
    const malformed = await api.send<ApiErrorBody>('POST', '/api/products', '{"sku":');
    expect(malformed.status).toBe(400);
    const badId = await api.get<ApiErrorBody>('/api/products/abc');
    expect(badId.status).toBe(400);
    expect(badId.body.error.details).toEqual({ field: 'id' });
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await api.send<ApiErrorBody>(
        method,
        '/api/products/999999',
        method === 'PATCH' ? { name: 'x' } : undefined,
      );
      expect(res.status, method).toBe(404);
    }
    const badPatch = await api.send<ApiErrorBody>('PATCH', '/api/products/1', { name: '' });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error.details).toEqual({ field: 'name' });
  });

  it('answers 409 for a SKU taken in any letter case, on create and on a PATCH changing the SKU', async () => {
    const first = await api.create({ sku: 'Dup-Sku', name: 'one' });
    expect(first.status).toBe(201);
    const again = await api.create({ sku: ' dup-SKU ', name: 'two' });
    expect(again.status).toBe(409);
    expect((again.body as unknown as ApiErrorBody).error).toMatchObject({
      code: 'conflict',
      details: { field: 'sku' },
    });

    const other = await api.create({ sku: 'Other-Sku', name: 'three' });
    const clash = await api.send<ApiErrorBody>('PATCH', `/api/products/${other.body.id}`, {
      sku: 'DUP-sku',
    });
    expect(clash.status).toBe(409);
    // Changing only the letter case of its own SKU is not a clash.
    const recase = await api.send<ProductDto>('PATCH', `/api/products/${first.body.id}`, {
      sku: 'DUP-SKU',
    });
    expect(recase.status).toBe(200);
    expect(recase.body.sku).toBe('DUP-SKU');
  });

  it('publishes product events with the product as written and the previous values', async () => {
    const created = await api.create({ sku: 'Evt-1', name: 'before' });
    const id = created.body.id;
    await api.send('PATCH', `/api/products/${id}`, { name: 'after' });
    await api.send('DELETE', `/api/products/${id}`);
    await waitFor(
      'three product events',
      async () => {
        const events = await readEvents(nc, stack.testEnv.prefix, 'product.>');
        return events.filter((e) => e.aggregateId === id).length === 3;
      },
      10_000,
    );
    const events = (await readEvents(nc, stack.testEnv.prefix, 'product.>')).filter(
      (e) => e.aggregateId === id,
    );
    expect(events.map((e) => e.type)).toEqual([
      'product.created',
      'product.updated',
      'product.deleted',
    ]);
    expect(events[0]!.payload).toMatchObject({
      $case: 'productCreated',
      value: { product: { id, sku: 'Evt-1', name: 'before' } },
    });
    expect(events[1]!.payload).toMatchObject({
      $case: 'productUpdated',
      value: { product: { name: 'after' }, previous: { name: 'before' } },
    });
    expect(events[2]!.payload).toMatchObject({
      $case: 'productDeleted',
      value: { product: { id, name: 'after' } },
    });
    const catalog = stack.processes.find((p) => p.name === 'catalog')!;
    const metrics = await (await fetch(`http://127.0.0.1:${catalog.httpPort}/metrics`)).text();
    const published = /^catalog_outbox_published_total\{[^}]*\} (\d+)/m.exec(metrics);
    expect(Number(published?.[1])).toBeGreaterThanOrEqual(3);
    expect(metrics).toMatch(/^catalog_search_backlog\{[^}]*\} \d+/m);
  });

  it('publishes no event for a write that was refused', async () => {
    const before = await readEvents(nc, stack.testEnv.prefix, 'product.>');
    expect((await api.create({ sku: 'dup-sku', name: 'again' })).status).toBe(409);
    // A later accepted write proves the relay has caught up past the refused one.
    const marker = await api.create({ sku: 'Marker-1', name: 'marker' });
    await waitFor(
      'the marker event',
      async () =>
        (await readEvents(nc, stack.testEnv.prefix, 'product.created')).some(
          (e) => e.aggregateId === marker.body.id,
        ),
      10_000,
    );
    const after = await readEvents(nc, stack.testEnv.prefix, 'product.>');
    expect(after.length - before.length).toBe(1);
  });
});

/** Listing: filters, paging and totals, over rows seeded straight into PostgreSQL. */
describe('products: listing, filters and paging', () => {
  const SEEDED = 3000;
  let stack: TestStack;
  let api: RestClient;
  let db: pg.Client;

  const list = async (query: string) => {
    const res = await api.get<ProductListDto>(`/api/products?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  /** Every page of a query, following nextCursor. */
  const allPages = async (query: string, onPage?: (n: number) => Promise<void>) => {
    const items: ProductDto[] = [];
    let cursor: string | null = '';
    for (let n = 0; cursor !== null; n++) {
      const page = await list(`${query}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.items);
      cursor = page.nextCursor;
      await onPage?.(n);
    }
    return items;
  };

  beforeAll(async () => {
    // The seeded rows are folded by a rebuild (backlog ≥ 1000), later edits batch by batch.
    stack = await startTestStack({
      catalogReplicas: 1,
      env: { SEARCH_INDEX_QUIET_MS: '300', SEARCH_INDEX_REBUILD_AT: '1000' },
    });
    api = restClient(stack.gatewayUrl);
    db = await connectDb(stack.testEnv.databaseUrl);
    await seedProducts(db, SEEDED);
  });

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  /** Each case: query string, and which seeded n match it (see seedProducts). */
  const CASES: [string, (n: number) => boolean][] = [
    ['q=WIDGET 12', (n) => `widget ${n}`.includes('widget 12')],
    ['q=s-2999', (n) => `s-${n}`.includes('s-2999')],
    ['q=oak', (n) => n % 4 === 1],
    ['sku=S-10', (n) => `s-${n}`.includes('s-10')],
    ['name=blue', (n) => n % 3 === 1],
    ['description=GLASS', (n) => n % 4 === 2],
    ['active=false', (n) => n % 3 === 0],
    ['active=true', (n) => n % 3 !== 0],
    ['name=red&description=wool&active=false', (n) => n % 3 === 0 && n % 4 === 3],
    [
      'q=widget 1&sku=5&active=true',
      (n) => `widget ${n}`.includes('widget 1') && `${n}`.includes('5') && n % 3 !== 0,
    ],
    ['q=nothing-like-this', () => false],
    ['q=100%25', () => false],
    // A phrase across a word boundary ("Red widget"): found through trigrams spanning the space.
    ['q=D WIDGET', (n) => n % 3 === 0],
    // The search key runs sku, name and description together; a term spanning two columns is in
    // the key but in no column, so it matches nothing.
    ['q=12 made', () => false],
  ];

  const expectMatches = async (query: string, match: (n: number) => boolean) => {
    const expected = Array.from({ length: SEEDED }, (_, i) => i + 1).filter(match);
    const items = await allPages(query);
    expect(items.map((p) => p.sku)).toEqual(expected.reverse().map((n) => `S-${n}`));
    const first = await list(`${query}&limit=5`);
    // Totals are exact up to 1000 matches, then "at least 1000".
    expect(first.total).toBe(Math.min(expected.length, 1000));
    expect(first.totalCapped).toBe(expected.length > 1000);
  };

  it.each(CASES)('filters %s while products are not indexed yet', async (query, match) => {
    // The indexer waits for writes to stop; until then queries check the backlog directly.
    await expectMatches(query, match);
  });

  it.each(CASES)('filters %s from the search index', async (query, match) => {
    await waitForSearchIndex(db);
    await expectMatches(query, match);
  });

  it('sees a renamed product under its new name only, before and after indexing', async () => {
    const { rows } = await db.query<{ id: string }>("select id from products where sku = 'S-7'");
    const id = rows[0]!.id;
    const patched = await api.send('PATCH', `/api/products/${id}`, { name: 'Quartz clock' });
    expect(patched.status).toBe(200);
    for (const phase of ['backlog', 'indexed']) {
      if (phase === 'indexed') {
        await waitForSearchIndex(db);
      }
      expect(
        (await list('q=quartz')).items.map((p) => p.sku),
        phase,
      ).toEqual(['S-7']);
      const byOldName = await list('name=widget 7&sku=S-7&limit=500');
      expect(
        byOldName.items.map((p) => p.sku),
        phase,
      ).not.toContain('S-7');
    }
  });

  it('finds text with LIKE metacharacters and punctuation, and only where it is', async () => {
    const created = await api.create({
      sku: 'Meta-1',
      name: 'Back\\slash, 50%_off - Deal.',
      description: 'multi-word, punctuated. text',
    });
    expect(created.status).toBe(201);
    const CASES: [string, boolean][] = [
      ['q=k\\slash', true],
      ['q=50%_off', true],
      ['q=%_', true],
      ['q=slash, 50', true],
      ['q=OFF - deal.', true],
      ['description=word, punct', true],
      // In the search key (punctuation and spaces removed), in no column.
      ['q=slash50', false],
      ['q=multiword', false],
      ['name=deal.multi', false],
      ['q=50 _off', false],
    ];
    for (const phase of ['backlog', 'indexed']) {
      if (phase === 'indexed') {
        await waitForSearchIndex(db);
      }
      for (const [query, found] of CASES) {
        const [key, value] = query.split('=') as [string, string];
        const skus = (await list(`${key}=${encodeURIComponent(value)}`)).items.map((p) => p.sku);
        expect(skus.includes('Meta-1'), `${query} (${phase})`).toBe(found);
      }
    }
    expect((await api.send('DELETE', `/api/products/${created.body.id}`)).status).toBe(204);
  });

  it('pages newest first, each row exactly once, while rows are being inserted', async () => {
    const { rows } = await db.query<{ n: string }>(
      "select count(*) as n from products where name ilike '%widget%'",
    );
    let inserted = 0;
    const items = await allPages('name=widget', async () => {
      await seedProducts(db, 50, SEEDED + 1000 + inserted);
      inserted += 50;
    });
    const ids = items.map((p) => Number(p.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    // Rows inserted while paging are newer than the first page, so they are not in it.
    expect(ids.length).toBe(Number(rows[0]!.n));
  });

  it('counts every product exactly, and a broad filter up to the bound', async () => {
    const { rows } = await db.query<{ n: string }>('select count(*) as n from products');
    const all = await list('limit=1');
    expect(all).toMatchObject({ total: Number(rows[0]!.n), totalCapped: false });
    expect(all.total).toBeGreaterThan(1000);
    expect(await list('active=true&limit=1')).toMatchObject({ total: 1000, totalCapped: true });
    const deleted = await api.send('DELETE', `/api/products/${all.items[0]!.id}`);
    expect(deleted.status).toBe(204);
    expect((await list('limit=1')).total).toBe(all.total - 1);
  });

  it('rebuilds the search index again after a second large write', async () => {
    // The first rebuild ran in beforeAll; a second one must not trip over the first one's names.
    await seedProducts(db, 1500, 100_000);
    await waitForSearchIndex(db);
    expect((await list('q=widget 101499')).items.map((p) => p.sku)).toEqual(['S-101499']);
    const { rows } = await db.query<{ indexname: string }>(
      "select indexname from pg_indexes where tablename = 'product_search' order by indexname",
    );
    expect(rows.map((r) => r.indexname)).toEqual([
      'product_search_inactive',
      'product_search_key_trgm',
      'product_search_product_id',
    ]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['active=maybe', 'active'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('{"id":5}').toString('base64url')}`, 'cursor'],
    ['q=a&q=b', 'q'],
  ])('refuses %s with a 400 naming the parameter', async (query, field) => {
    const res = await api.get<ApiErrorBody>(`/api/products?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({ field });
  });
});
