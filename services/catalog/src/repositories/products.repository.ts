import { sql, type Kysely, type Selectable } from '@pi/db';
import type { ExpressionBuilder, SelectQueryBuilder } from 'kysely';
import type { CatalogDatabase, ProductsTable } from '../db.js';
import { containsPattern, type ProductFilter } from '../domain/product-query.js';

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

  /** One page, newest first, after the cursor's id. */
  list(filter: ProductFilter, afterId: string | undefined, limit: number): Promise<ProductRow[]> {
    let query = filtered(this.db.selectFrom('products as p').select(COLUMNS), filter);
    if (afterId !== undefined) query = query.where('p.id', '<', afterId);
    return query.orderBy('p.id', 'desc').limit(limit).execute();
  }

  /** Exact number of matching products, counting at most `bound` (undefined = no bound). */
  async count(filter: ProductFilter, bound?: number): Promise<number> {
    const matching = filtered(
      this.db.selectFrom('products as p').select(sql.lit(1).as('one')),
      filter,
    );
    const { n } = await this.db
      .selectFrom((bound === undefined ? matching : matching.limit(bound)).as('m'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  /**
   * Locks out every other writer, then counts what delete-all removes. The exclusive lock is the
   * one TRUNCATE takes anyway; taking it first makes the count exact.
   */
  async lockAllAndCount(): Promise<number> {
    await sql`lock table products, product_tombstones in access exclusive mode`.execute(this.db);
    const { n } = await this.db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  /** Removes every product and tombstone, with the search data derived from them. */
  async truncateAll(): Promise<void> {
    await sql`truncate products, product_tombstones, product_search, search_backlog`.execute(
      this.db,
    );
  }
}

/**
 * Applies a filter. Text filters first narrow to candidates through the trigram index of
 * `product_search` (plus the products written since it was last updated, `search_backlog`), then
 * check the real columns: the index text may be stale for backlog rows, the columns never are.
 */
function filtered<O>(query: ProductsQuery<O>, f: ProductFilter): ProductsQuery<O> {
  const terms = [f.q, f.sku, f.name, f.description].filter((t): t is string => t !== undefined);
  if (terms.length) {
    query = query.where('p.id', 'in', (eb) =>
      terms
        .reduce(
          (q, term) => q.where('s.doc', 'ilike', containsPattern(term)),
          eb.selectFrom('product_search as s').select('s.product_id'),
        )
        .unionAll(eb.selectFrom('search_backlog as b').select('b.product_id')),
    );
  }
  if (f.q !== undefined) {
    const pattern = containsPattern(f.q);
    query = query.where((eb: ExpressionBuilder<WithP, 'p'>) =>
      eb.or([
        eb('p.sku', 'ilike', pattern),
        eb('p.name', 'ilike', pattern),
        eb('p.description', 'ilike', pattern),
      ]),
    );
  }
  for (const column of ['sku', 'name', 'description'] as const) {
    const term = f[column];
    if (term !== undefined) query = query.where(`p.${column}`, 'ilike', containsPattern(term));
  }
  if (f.active !== undefined) query = query.where('p.active', '=', f.active);
  return query;
}
