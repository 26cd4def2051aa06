import { sql, type Kysely } from '@pi/db';
import type { CatalogDatabase } from '../db.js';

/** The backlog's "clear product_search" request: a product id no product has. */
const CLEAR = '0';

/** Advisory lock key: one indexer at a time, so a stale document can never overwrite a newer one. */
const INDEXER_LOCK = 0x5ea7_c4;

/** A product's search document, selected from `products p` in product_search's column order. */
const DOCUMENT = sql`p.id, p.sku, p.name, p.description, p.active,
  product_search_key(p.sku || ' ' || p.name || ' ' || p.description)`;

/** product_search's indexes (as in the latest migration), by name: `create <definition>`. */
const SEARCH_INDEXES: [string, (index: string, table: string) => string][] = [
  ['product_search_product_id', (i, t) => `unique index ${i} on ${t} (product_id)`],
  ['product_search_key_trgm', (i, t) => `index ${i} on ${t} using gin (search_key gin_trgm_ops)`],
  ['product_search_inactive', (i, t) => `index ${i} on ${t} (product_id) where not active`],
];

/** Maintenance of `product_search` from `search_backlog` (see the migration for the design). */
export class SearchIndexRepository {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  /**
   * The backlog's highest entry (0 when empty; it moves while products are written) and its span,
   * an upper bound of its size read from the two ends of its primary key.
   */
  async backlogState(): Promise<{ head: number; span: number }> {
    const row = await this.db
      .selectFrom('search_backlog')
      .select((eb) => [eb.fn.max('seq').as('head'), eb.fn.min('seq').as('tail')])
      .executeTakeFirst();
    const head = Number(row?.head ?? 0);
    return { head, span: head ? head - Number(row?.tail) + 1 : 0 };
  }

  /**
   * Asks the indexer to empty product_search, after delete-all: a backlog entry for the product id
   * 0, which no product has. Until the indexer has done so the backlog is not empty, so searches
   * check the products themselves and never show a document whose product is gone.
   */
  async requestClear(): Promise<void> {
    await this.db.insertInto('search_backlog').values({ product_id: CLEAR }).execute();
  }

  /**
   * Empties product_search if delete-all asked for it. The request is always the backlog's oldest
   * entry (delete-all empties the backlog and holds its exclusive lock while it writes it), so only
   * the head is looked at, through the primary key. Entries written after the request stay in the
   * backlog, so the products they name are indexed again.
   */
  async clearIfRequested(): Promise<boolean> {
    const { numDeletedRows } = await this.db
      .deleteFrom('search_backlog')
      .where('product_id', '=', CLEAR)
      .where('seq', '=', (eb) =>
        eb.selectFrom('search_backlog').select(eb.fn.min('seq').as('head')),
      )
      .executeTakeFirst();
    if (numDeletedRows === 0n) return false;
    await sql`truncate product_search`.execute(this.db);
    return true;
  }

  /**
   * Lock order of every product writer: products, then the backlog its triggers write. The
   * backlog fold reads the backlog first, so it takes the products lock before.
   */
  async lockProductsForIndexing(): Promise<void> {
    await sql`lock table products in access share mode`.execute(this.db);
  }

  async tryLeadIndexer(): Promise<boolean> {
    const { rows } = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(${INDEXER_LOCK}) as locked`.execute(this.db);
    return rows[0]?.locked === true;
  }

  /**
   * Folds up to `limit` backlog entries into product_search in one statement: the consumed entries
   * are deleted and the rows rewritten from the products as this statement sees them. A
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
        insert into product_search (product_id, sku, name, description, active, search_key)
        select ${DOCUMENT}
        from products p join ids on p.id = ids.product_id
        on conflict (product_id) do update set sku = excluded.sku, name = excluded.name,
          description = excluded.description, active = excluded.active,
          search_key = excluded.search_key
      )
      select count(*) as consumed from batch
    `.execute(this.db);
    return Number(rows[0]?.consumed ?? 0);
  }

  /**
   * Rebuilds product_search from every product at once: far faster than folding a large backlog
   * row by row (a GIN index built in bulk sorts its entries once). Must run in a REPEATABLE READ
   * transaction: the copy and the backlog delete then see the same snapshot, so entries written
   * after it stay in the backlog. Searches keep using the old table until the swap commits.
   */
  async rebuild(): Promise<void> {
    await sql`set local maintenance_work_mem = '256MB'`.execute(this.db);
    await sql`create table product_search_next (like product_search)`.execute(this.db);
    await sql`insert into product_search_next select ${DOCUMENT} from products p`.execute(this.db);
    for (const [name, definition] of SEARCH_INDEXES) {
      await sql`create ${sql.raw(definition(`${name}_next`, 'product_search_next'))}`.execute(
        this.db,
      );
    }
    await sql`delete from search_backlog`.execute(this.db);
    await sql`drop table product_search`.execute(this.db);
    await sql`alter table product_search_next rename to product_search`.execute(this.db);
    for (const [name] of SEARCH_INDEXES) {
      await sql`alter index ${sql.id(`${name}_next`)} rename to ${sql.id(name)}`.execute(this.db);
    }
  }

  /** True when every product write has been folded in: product_search alone answers searches. */
  async caughtUp(): Promise<boolean> {
    const { rows } = await sql<{
      empty: boolean;
    }>`select not exists (select 1 from search_backlog) as empty`.execute(this.db);
    return rows[0]?.empty === true;
  }

  async deleteDocument(productId: string): Promise<void> {
    await this.db.deleteFrom('product_search').where('product_id', '=', productId).execute();
  }
}
