import { sql, type Kysely } from '@pi/db';
import type { ChunkRow } from '@pi/proto';
import type { CatalogDatabase } from '../db.js';
import { skuKey } from '../domain/sku.js';

export interface ChunkCounts {
  rows: number;
  inserted: number;
  updated: number;
}

/** Queries of the chunk apply path. `inTransaction` gives a copy bound to one transaction. */
export class ChunkRepository {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  inTransaction<T>(fn: (repo: ChunkRepository) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new ChunkRepository(trx)));
  }

  /**
   * Taken first in a chunk transaction. SHARE lets chunks apply side by side but waits for a
   * manual delete in flight (ROW EXCLUSIVE), so the tombstone check of `upsertRows` — a statement
   * that starts after the lock — sees every committed delete: without it, an older row could
   * re-create a product whose delete commits while the chunk waits on that product's row.
   */
  async lockTombstones(): Promise<void> {
    await sql`lock table product_tombstones in share mode`.execute(this.db);
  }

  /**
   * Claims a chunk for applying; false when it was applied (or is being applied in a transaction
   * that commits first — the insert waits for it).
   */
  async claim(importId: string, seq: number, rows: number): Promise<boolean> {
    const claimed = await this.db
      .insertInto('applied_chunks')
      .values({ import_id: importId, seq, rows, inserted: 0, updated: 0 })
      .onConflict((oc) => oc.columns(['import_id', 'seq']).doNothing())
      .returning('seq')
      .executeTakeFirst();
    return claimed !== undefined;
  }

  async recordCounts(importId: string, seq: number, counts: ChunkCounts): Promise<void> {
    await this.db
      .updateTable('applied_chunks')
      .set({ inserted: counts.inserted, updated: counts.updated })
      .where('import_id', '=', importId)
      .where('seq', '=', seq)
      .execute();
  }

  async findCounts(importId: string, seq: number): Promise<ChunkCounts | undefined> {
    return this.db
      .selectFrom('applied_chunks')
      .select(['rows', 'inserted', 'updated'])
      .where('import_id', '=', importId)
      .where('seq', '=', seq)
      .executeTakeFirst();
  }

  /**
   * Upserts the rows of one chunk in a single statement and returns how many created a product.
   * Each field group is a last-writer-wins register: sku/name/description take the row with the
   * newest version `(epoch, line)`; `active` takes the newest row that gives a value (its own
   * version), because a row without one keeps the flag of the write before it. Tombstones stop
   * older rows from resurrecting a deleted product. So chunks may be applied in any order, by any
   * number of workers, with the result of applying every row in sequence. Rows are locked in
   * `sku_key` order, so concurrent chunks cannot deadlock.
   */
  async upsertRows(epoch: number, rows: ChunkRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const { rows: result } = await sql<{ inserted: number }>`
      with input as (
        select * from unnest(
          ${rows.map((r) => r.sku)}::text[],
          ${rows.map((r) => skuKey(r.sku))}::text[],
          ${rows.map((r) => r.name)}::text[],
          ${rows.map((r) => r.description)}::text[],
          ${rows.map((r) => r.line)}::int[],
          ${rows.map((r) => r.active ?? null)}::bool[]
        ) as t(sku, sku_key, name, description, line, active)
      ),
      latest as (
        select distinct on (sku_key) sku, sku_key, name, description, line
        from input order by sku_key, line desc
      ),
      latest_active as (
        select distinct on (sku_key) sku_key, active, line
        from input where active is not null order by sku_key, line desc
      ),
      candidates as (
        select l.*, coalesce(a.active, true) as active,
          case when a.active is null then 0 else ${epoch}::bigint end as active_epoch,
          coalesce(a.line, 0) as active_line
        from latest l left join latest_active a using (sku_key)
        where not exists (
          select 1 from product_tombstones t
          where t.sku_key = l.sku_key and (t.version_epoch, t.version_line) > (${epoch}::bigint, l.line)
        )
      ),
      upserted as (
        insert into products as p
          (sku, sku_key, name, description, active, version_epoch, version_line, active_epoch, active_line)
        select sku, sku_key, name, description, active, ${epoch}::bigint, line, active_epoch, active_line
        from candidates
        order by sku_key
        on conflict (sku_key) do update set
          (sku, name, description, version_epoch, version_line, updated_at) = (
            select excluded.sku, excluded.name, excluded.description,
              excluded.version_epoch, excluded.version_line, now()
            where (p.version_epoch, p.version_line) < (excluded.version_epoch, excluded.version_line)
            union all
            select p.sku, p.name, p.description, p.version_epoch, p.version_line, p.updated_at
            where (p.version_epoch, p.version_line) >= (excluded.version_epoch, excluded.version_line)
          ),
          (active, active_epoch, active_line) = (
            select excluded.active, excluded.active_epoch, excluded.active_line
            where (p.active_epoch, p.active_line) < (excluded.active_epoch, excluded.active_line)
            union all
            select p.active, p.active_epoch, p.active_line
            where (p.active_epoch, p.active_line) >= (excluded.active_epoch, excluded.active_line)
          )
        where (p.version_epoch, p.version_line) < (excluded.version_epoch, excluded.version_line)
          or (p.active_epoch, p.active_line) < (excluded.active_epoch, excluded.active_line)
        returning (xmax = 0) as created
      )
      select count(*) filter (where created) as inserted from upserted
    `.execute(this.db);
    return Number(result[0]?.inserted ?? 0);
  }

  async allocateEpoch(): Promise<number> {
    const { rows } = await sql<{ epoch: number }>`select nextval('write_epoch') as epoch`.execute(
      this.db,
    );
    return Number(rows[0]!.epoch);
  }
}
