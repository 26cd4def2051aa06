import { sql, type Kysely } from '@pi/db';
import type { CatalogDatabase } from '../db.js';

/** Advisory lock key: one indexer at a time, so a stale document can never overwrite a newer one. */
const INDEXER_LOCK = 0x5ea7_c4;

/** Maintenance of `product_search` from `search_backlog` (see the migration for the design). */
export class SearchIndexRepository {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  /** Highest backlog entry, or 0 when the backlog is empty: it moves while products are written. */
  async backlogHead(): Promise<number> {
    const row = await this.db
      .selectFrom('search_backlog')
      .select((eb) => eb.fn.max('seq').as('head'))
      .executeTakeFirst();
    return Number(row?.head ?? 0);
  }

  async tryLeadIndexer(): Promise<boolean> {
    const { rows } = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(${INDEXER_LOCK}) as locked`.execute(this.db);
    return rows[0]?.locked === true;
  }

  /**
   * Folds up to `limit` backlog entries into product_search in one statement: the consumed entries
   * are deleted and the documents rewritten from the products as this statement sees them. A
   * product written after that gets a new backlog entry, so nothing is ever left stale. Deleted
   * products lose their document. Returns how many backlog entries were consumed.
   */
  async indexBatch(limit: number): Promise<number> {
    const { rows } = await sql<{ consumed: number }>`
      with batch as (
        delete from search_backlog
        where seq in (select seq from search_backlog order by seq limit ${limit})
        returning product_id
      ),
      ids as (select distinct product_id from batch),
      gone as (
        delete from product_search s using ids
        where s.product_id = ids.product_id
          and not exists (select 1 from products p where p.id = ids.product_id)
      ),
      written as (
        insert into product_search (product_id, doc)
        select p.id, p.sku || chr(10) || p.name || chr(10) || p.description
        from products p join ids on p.id = ids.product_id
        on conflict (product_id) do update set doc = excluded.doc
      )
      select count(*) as consumed from batch
    `.execute(this.db);
    return Number(rows[0]?.consumed ?? 0);
  }

  async deleteDocument(productId: string): Promise<void> {
    await this.db.deleteFrom('product_search').where('product_id', '=', productId).execute();
  }
}
