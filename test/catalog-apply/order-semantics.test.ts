import { createDb, sql, type Kysely } from '@pi/db';
import pg from 'pg';
import { createLogger } from '@pi/logger';
import { Publisher, connectNats, provisionJetStream, type NatsConnection } from '@pi/messaging';
import type { ChunkRow, ImportChunk } from '@pi/proto';
import { createTestEnv, type TestEnv } from '@pi/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { prng } from '../../bench/src/random.js';
import type { CatalogDatabase } from '../../services/catalog/src/db.js';
import { ChunkRepository } from '../../services/catalog/src/repositories/chunk.repository.js';
import { ChunkApplyService } from '../../services/catalog/src/services/chunk-apply.service.js';

const CASINGS = [
  (s: string) => s,
  (s: string) => s.toUpperCase(),
  (s: string) => s[0]!.toUpperCase() + s.slice(1),
];

/** Rows of one import: many SKUs repeat in other letter cases, some set `active`, some do not. */
function makeImport(
  rand: () => number,
  epoch: number,
  rows: number,
  chunkSize: number,
  importId: string,
): ImportChunk[] {
  const all: ChunkRow[] = [];
  for (let line = 2; line < rows + 2; line++) {
    const base = `sku-${Math.floor(rand() * rows * 0.6)}-ä`;
    const sku = CASINGS[Math.floor(rand() * CASINGS.length)]!(base);
    const r = rand();
    all.push({
      line,
      sku,
      name: `name ${epoch}/${line}`,
      description: `desc "${line}", with comma`,
      active: r < 0.3 ? undefined : r < 0.65,
    });
  }
  const chunks: ImportChunk[] = [];
  for (let seq = 0; seq * chunkSize < all.length; seq++) {
    chunks.push({ importId, seq, epoch, rows: all.slice(seq * chunkSize, (seq + 1) * chunkSize) });
  }
  return chunks;
}

interface Expected {
  sku: string;
  name: string;
  description: string;
  active: boolean;
}

/** Applies every write one by one in version order: the definition of the right answer. */
function sequentialReference(
  chunks: ImportChunk[],
  deletes: { key: string; epoch: number }[] = [],
) {
  type Write = { epoch: number; line: number; row?: ChunkRow; deleteKey?: string };
  const writes: Write[] = [
    ...chunks.flatMap((c) => c.rows.map((row) => ({ epoch: c.epoch, line: row.line, row }))),
    ...deletes.map((d) => ({ epoch: d.epoch, line: 0, deleteKey: d.key })),
  ].sort((a, b) => a.epoch - b.epoch || a.line - b.line);
  const state = new Map<string, Expected>();
  let inserted = 0;
  for (const w of writes) {
    if (w.deleteKey) {
      state.delete(w.deleteKey);
      continue;
    }
    const row = w.row!;
    const key = row.sku.toLowerCase();
    const prev = state.get(key);
    if (!prev) inserted++;
    state.set(key, {
      sku: row.sku,
      name: row.name,
      description: row.description,
      active: row.active ?? prev?.active ?? true,
    });
  }
  return { state, inserted };
}

/** Resolves once some session waits for a lock, i.e. the interleaving under test is in place. */
async function waitUntilBlocked(db: Kysely<CatalogDatabase>) {
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_locks where not granted`.execute(db);
    if (rows[0]!.n > 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the chunk never waited for the open delete');
}

function shuffle<T>(items: T[], rand: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function applyConcurrently(
  service: ChunkApplyService,
  chunks: ImportChunk[],
  workers: number,
) {
  const queue = [...chunks];
  const results = await Promise.all(
    Array.from({ length: workers }, async () => {
      const out = [];
      for (let c = queue.shift(); c; c = queue.shift()) out.push(await service.apply(c));
      return out;
    }),
  );
  return results.flat();
}

describe('applying import chunks (real PostgreSQL)', () => {
  let env: TestEnv;
  let db: Kysely<CatalogDatabase>;
  let nc: NatsConnection;
  let repo: ChunkRepository;
  let service: ChunkApplyService;

  beforeAll(async () => {
    env = await createTestEnv();
    db = createDb<CatalogDatabase>({ url: env.databaseUrl, poolMax: 8 });
    nc = await connectNats(env.env.NATS_URL!, 'order-test', createLogger('test', 'silent'));
    await provisionJetStream(nc, { prefix: env.prefix });
    repo = new ChunkRepository(db);
    service = new ChunkApplyService(repo, new Publisher(nc, env.prefix));
  });

  afterAll(async () => {
    await nc?.close();
    await db?.destroy();
    await env?.cleanup();
  });

  beforeEach(async () => {
    await sql`truncate products, applied_chunks, product_tombstones`.execute(db);
  });

  const stored = async () => {
    const rows = await db
      .selectFrom('products')
      .select(['sku', 'sku_key', 'name', 'description', 'active'])
      .execute();
    return new Map(
      rows.map((r) => [
        r.sku_key,
        { sku: r.sku, name: r.name, description: r.description, active: r.active },
      ]),
    );
  };

  it.each([1, 2, 3])(
    'equals the sequential reference whatever the order and workers (seed %i)',
    async (seed) => {
      const rand = prng(seed);
      const first = await repo.allocateEpoch();
      const second = await repo.allocateEpoch();
      // The later import's chunks are mixed in with the earlier one's, as parallel workers would.
      const chunks = [
        ...makeImport(rand, first, 600, 37, `imp-a-${seed}`),
        ...makeImport(rand, second, 400, 29, `imp-b-${seed}`),
      ];
      const results = await applyConcurrently(service, shuffle(chunks, rand), 4);

      const reference = sequentialReference(chunks);
      expect(await stored()).toEqual(reference.state);
      const inserted = results.reduce((n, r) => n + r.inserted, 0);
      const updated = results.reduce((n, r) => n + r.updated, 0);
      expect(inserted).toBe(reference.inserted);
      expect(inserted + updated).toBe(1000);
    },
  );

  it('counts a redelivered chunk once and writes nothing again', async () => {
    const epoch = await repo.allocateEpoch();
    const [chunk] = makeImport(prng(7), epoch, 50, 50, 'imp-dup');
    const first = await service.apply(chunk!);
    const before = await stored();
    const again = await service.apply(chunk!);
    expect(first.firstTime).toBe(true);
    expect(again).toEqual({ ...first, firstTime: false });
    expect(await stored()).toEqual(before);
    const { count } = await db
      .selectFrom('applied_chunks')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(1);
  });

  it('never lets an older row overwrite a newer write, nor resurrect a deleted product', async () => {
    const older = await repo.allocateEpoch();
    const row = (sku: string, line: number, name: string): ChunkRow => ({
      line,
      sku,
      name,
      description: '',
      active: undefined,
    });
    // A manual delete made after the older import was created, before its chunk is applied.
    const deleteEpoch = await repo.allocateEpoch();
    await db
      .insertInto('product_tombstones')
      .values({ sku_key: 'gone', version_epoch: deleteEpoch, version_line: 0 })
      .execute();
    const newer = await repo.allocateEpoch();

    await service.apply({ importId: 'new', seq: 0, epoch: newer, rows: [row('KEEP', 2, 'newer')] });
    await service.apply({
      importId: 'old',
      seq: 0,
      epoch: older,
      rows: [row('keep', 2, 'older'), row('Gone', 3, 'zombie')],
    });
    expect(await stored()).toEqual(
      new Map([['keep', { sku: 'KEEP', name: 'newer', description: '', active: true }]]),
    );

    await service.apply({
      importId: 'newest',
      seq: 0,
      epoch: await repo.allocateEpoch(),
      rows: [row('GONE', 2, 'back')],
    });
    expect((await stored()).get('gone')).toEqual({
      sku: 'GONE',
      name: 'back',
      description: '',
      active: true,
    });
  });

  it('does not resurrect a product whose manual delete commits while an older chunk waits', async () => {
    const older = await repo.allocateEpoch();
    await service.apply({
      importId: 'seed',
      seq: 0,
      epoch: older,
      rows: [{ line: 2, sku: 'Racy', name: 'v1', description: '', active: undefined }],
    });
    // A manual delete as the catalog does it, held open mid-transaction on its own connection.
    const deleter = new pg.Client({ connectionString: env.databaseUrl });
    await deleter.connect();
    try {
      await deleter.query('begin');
      await deleter.query('lock table product_tombstones in row exclusive mode');
      await deleter.query(`delete from products where sku_key = 'racy'`);
      const epoch = await repo.allocateEpoch();
      await deleter.query(
        `insert into product_tombstones (sku_key, version_epoch, version_line) values ('racy', $1, 0)`,
        [epoch],
      );
      const applying = service.apply({
        importId: 'late-old-chunk',
        seq: 0,
        epoch: older,
        rows: [{ line: 3, sku: 'RACY', name: 'zombie', description: '', active: undefined }],
      });
      await waitUntilBlocked(db);
      await deleter.query('commit');
      await applying;
    } finally {
      await deleter.end();
    }
    expect((await stored()).has('racy')).toBe(false);
  });

  it('keeps the stored active flag when a row does not give one', async () => {
    const e1 = await repo.allocateEpoch();
    const e2 = await repo.allocateEpoch();
    await service.apply({
      importId: 'a',
      seq: 0,
      epoch: e1,
      rows: [{ line: 2, sku: 'x', name: 'x', description: '', active: false }],
    });
    await service.apply({
      importId: 'b',
      seq: 0,
      epoch: e2,
      rows: [{ line: 2, sku: 'X', name: 'x2', description: 'd', active: undefined }],
    });
    expect((await stored()).get('x')).toEqual({
      sku: 'X',
      name: 'x2',
      description: 'd',
      active: false,
    });
  });
});
