import { sql, type Kysely, type Selectable } from '@pi/db';
import type { RawBuilder, SelectQueryBuilder, SqlBool } from 'kysely';
import type { CatalogDatabase, ProductsTable } from '../db.js';
import {
  containsPattern,
  hasText,
  hasTrigram,
  type ProductFilter,
} from '../domain/product-query.js';

export type ProductRow = Pick<
  Selectable<ProductsTable>,
  'id' | 'sku' | 'sku_key' | 'name' | 'description' | 'active' | 'created_at' | 'updated_at'
>;

export interface ProductValues {
  sku: string;
  sku_key: string;
  name: string;
  description: string;
  active: boolean;
}

/** A write's version: manual writes are `(new epoch, 0)`. */
export interface WriteVersion {
  epoch: number;
  line: number;
}

const COLUMNS = [
  'p.id',
  'p.sku',
  'p.sku_key',
  'p.name',
  'p.description',
  'p.active',
  'p.created_at',
  'p.updated_at',
] as const;

const RETURNED = [
  'id',
  'sku',
  'sku_key',
  'name',
  'description',
  'active',
  'created_at',
  'updated_at',
] as const;

type WithP = CatalogDatabase & { p: ProductsTable };
type ProductsQuery<O> = SelectQueryBuilder<WithP, 'p', O>;

/** Product reads and manual writes; one query per method. */
export class ProductsRepository {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  /**
   * Taken first by a manual write that can leave a tombstone: it waits for chunk transactions in
   * flight (they hold SHARE on the table) and makes new ones wait until this write commits, so
   * their tombstone check sees it. Taking it before any row lock keeps one lock order.
   */
  async lockTombstonesForWrite(): Promise<void> {
    await sql`lock table product_tombstones in row exclusive mode`.execute(this.db);
  }

  async nextEpoch(): Promise<number> {
    const { rows } = await sql<{ epoch: number }>`select nextval('write_epoch') as epoch`.execute(
      this.db,
    );
    return Number(rows[0]!.epoch);
  }

  findById(id: string): Promise<ProductRow | undefined> {
    return this.db
      .selectFrom('products as p')
      .select(COLUMNS)
      .where('p.id', '=', id)
      .executeTakeFirst();
  }

  /** The row, locked until the transaction ends, so an update knows the values it replaces. */
  lockById(id: string): Promise<ProductRow | undefined> {
    return this.db
      .selectFrom('products as p')
      .select(COLUMNS)
      .where('p.id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  /** Inserts a product; undefined when its sku_key is taken (the unique index decides). */
  insert(
    values: ProductValues,
    version: WriteVersion,
    activeGiven: boolean,
  ): Promise<ProductRow | undefined> {
    return this.db
      .insertInto('products')
      .values({
        ...values,
        version_epoch: version.epoch,
        version_line: version.line,
        active_epoch: activeGiven ? version.epoch : 0,
        active_line: activeGiven ? version.line : 0,
      })
      .onConflict((oc) => oc.column('sku_key').doNothing())
      .returning(RETURNED)
      .executeTakeFirst();
  }

  /**
   * Writes a manual edit. Text fields and the active flag are versioned apart (see the chunk
   * upsert): an edit bumps only the versions of what it changes, so an older import row applied
   * later still loses to it field by field. A unique violation (the new sku_key is taken) throws.
   */
  update(
    id: string,
    values: ProductValues,
    version: WriteVersion,
    bump: { text: boolean; active: boolean },
  ): Promise<ProductRow> {
    return this.db
      .updateTable('products')
      .set({
        ...values,
        updated_at: sql<Date>`now()`,
        ...(bump.text ? { version_epoch: version.epoch, version_line: version.line } : {}),
        ...(bump.active ? { active_epoch: version.epoch, active_line: version.line } : {}),
      })
      .where('id', '=', id)
      .returning(RETURNED)
      .executeTakeFirstOrThrow();
  }

  deleteById(id: string): Promise<ProductRow | undefined> {
    return this.db
      .deleteFrom('products')
      .where('id', '=', id)
      .returning(RETURNED)
      .executeTakeFirst();
  }

  /** Remembers a manual delete so an older import row applied later cannot bring the SKU back. */
  async writeTombstone(skuKey: string, version: WriteVersion): Promise<void> {
    await this.db
      .insertInto('product_tombstones')
      .values({ sku_key: skuKey, version_epoch: version.epoch, version_line: version.line })
      .onConflict((oc) =>
        oc.column('sku_key').doUpdateSet({
          version_epoch: (eb) => eb.ref('excluded.version_epoch'),
          version_line: (eb) => eb.ref('excluded.version_line'),
          deleted_at: sql<Date>`now()`,
        }),
      )
      .execute();
  }

  /**
   * One page, newest first, after the cursor's id. `indexed`: product_search is caught up, so a
   * text search runs on it alone and only the page's rows are read from products.
   */
  list(
    filter: ProductFilter,
    afterId: string | undefined,
    limit: number,
    indexed: boolean,
  ): Promise<ProductRow[]> {
    const products = this.db.selectFrom('products as p').select(COLUMNS);
    if (indexed && hasText(filter)) {
      let matches = this.searchMatches(filter);
      if (afterId !== undefined) matches = matches.where('s.product_id', '<', afterId);
      const page = matches.orderBy('s.product_id', 'desc').limit(limit);
      return products.where('p.id', 'in', page).orderBy('p.id', 'desc').execute();
    }
    let query = filtered(products, filter);
    if (afterId !== undefined) query = query.where('p.id', '<', afterId);
    return query.orderBy('p.id', 'desc').limit(limit).execute();
  }

  /** Number of matching products, counting at most `bound`. */
  async count(filter: ProductFilter, bound: number, indexed: boolean): Promise<number> {
    const matching =
      indexed && hasText(filter)
        ? this.searchMatches(filter).limit(bound)
        : filtered(this.db.selectFrom('products as p').select('p.id'), filter).limit(bound);
    const { rows } = await sql<{
      n: number;
    }>`select count(*) as n from (${matching}) as m`.execute(this.db);
    return Number(rows[0]!.n);
  }

  /** Exact number of products, from the deltas the insert and delete triggers append. */
  async countAll(): Promise<number> {
    const { n } = await this.db
      .selectFrom('product_count_deltas')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('delta'), sql.lit(0)).as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  /** Folds the count deltas into one row; rows appended meanwhile are not seen, so not lost. */
  async compactCount(): Promise<void> {
    await sql`
      with folded as (
        delete from product_count_deltas
        where (select count(*) from product_count_deltas) > 1
        returning delta
      )
      insert into product_count_deltas select sum(delta) from folded having count(*) > 0
    `.execute(this.db);
  }

  private searchMatches(filter: ProductFilter) {
    return this.db
      .selectFrom('product_search as s')
      .select('s.product_id')
      .where((eb) => eb.and([...searchKeyCandidates(filter), ...columnConditions('s', filter)]));
  }

  /**
   * Locks out every other writer so the count read next is what delete-all removes. The exclusive
   * locks are the ones TRUNCATE takes anyway, taken in the order every writer takes them
   * (tombstones, products, then the backlog its triggers write), so a delete-all and a write
   * never wait for each other in a cycle.
   */
  async lockAll(): Promise<void> {
    await sql`
      lock table product_tombstones, products, search_backlog in access exclusive mode
    `.execute(this.db);
  }

  /**
   * Removes every product and tombstone with the backlog and count derived from them. The search
   * documents are left to the indexer (SearchIndexRepository.requestClear): truncating them too
   * would double the time the commit takes to release the files, and searches ignore documents
   * whose product is gone until then.
   */
  async truncateAll(): Promise<void> {
    await sql`
      truncate products, product_tombstones, search_backlog, product_count_deltas
    `.execute(this.db);
  }
}

const TEXT_COLUMNS = ['sku', 'name', 'description'] as const;

/**
 * Narrows text terms through product_search's trigram index: a row containing a term has the term's
 * key in its search key (see the search-key migration). Only a necessary condition — the column
 * conditions decide — and left out for terms too short to have a trigram, for which the index
 * would read every entry. `escape ''`: a `\` in a term is an ordinary character; `%` and `_` stay
 * wildcards, which only widen the candidates.
 */
function searchKeyCandidates(f: ProductFilter): RawBuilder<SqlBool>[] {
  return [f.q, f.sku, f.name, f.description]
    .filter((t): t is string => t !== undefined && hasTrigram(t))
    .map(
      (term) => sql<SqlBool>`s.search_key like '%' || product_search_key(${term}) || '%' escape ''`,
    );
}

/** The filter itself, on the columns of products (`p`) or of product_search (`s`). */
function columnConditions(alias: 'p' | 's', f: ProductFilter): RawBuilder<SqlBool>[] {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  const conditions: RawBuilder<SqlBool>[] = [];
  if (f.q !== undefined) {
    const pattern = containsPattern(f.q);
    conditions.push(
      sql<SqlBool>`(${col('sku')} ilike ${pattern} or ${col('name')} ilike ${pattern} or ${col('description')} ilike ${pattern})`,
    );
  }
  for (const column of TEXT_COLUMNS) {
    const term = f[column];
    if (term !== undefined)
      conditions.push(sql<SqlBool>`${col(column)} ilike ${containsPattern(term)}`);
  }
  if (f.active !== undefined) conditions.push(sql<SqlBool>`${col('active')} = ${f.active}`);
  return conditions;
}

/**
 * A filter on products while product_search is behind: text terms take their candidates from the
 * index (rows it knows) plus every product still in the backlog, then the real columns decide —
 * the index may be stale for backlog rows, the columns never are.
 */
function filtered<O>(query: ProductsQuery<O>, f: ProductFilter): ProductsQuery<O> {
  const candidates = searchKeyCandidates(f);
  if (candidates.length) {
    query = query.where('p.id', 'in', (eb) =>
      eb
        .selectFrom('product_search as s')
        .select('s.product_id')
        .where((e) => e.and(candidates))
        .unionAll(eb.selectFrom('search_backlog as b').select('b.product_id')),
    );
  }
  const conditions = columnConditions('p', f);
  return conditions.length ? query.where((eb) => eb.and(conditions)) : query;
}
