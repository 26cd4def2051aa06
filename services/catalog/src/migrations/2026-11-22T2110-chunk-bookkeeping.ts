import { sql, type Kysely } from 'kysely';

/**
 * `active_epoch`/`active_line` are the version of the write that last *gave* the active flag:
 * rows without one keep the flag of the write before them, so the flag has its own version
 * ((0, 0) = never given; such products are active).
 * `applied_chunks` makes applying a chunk idempotent (one row per import chunk, written in the
 * same transaction as its products). `product_tombstones` remembers the version of a manual
 * delete so an older import row applied later cannot bring the product back.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('products')
    .addColumn('active_epoch', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('active_line', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('applied_chunks')
    .addColumn('import_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('inserted', 'integer', (c) => c.notNull())
    .addColumn('updated', 'integer', (c) => c.notNull())
    .addColumn('applied_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('applied_chunks_pk', ['import_id', 'seq'])
    .execute();
  await db.schema
    .createTable('product_tombstones')
    .addColumn('sku_key', 'text', (c) => c.primaryKey())
    .addColumn('version_epoch', 'bigint', (c) => c.notNull())
    .addColumn('version_line', 'integer', (c) => c.notNull())
    .addColumn('deleted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('product_tombstones').execute();
  await db.schema.dropTable('applied_chunks').execute();
  await db.schema
    .alterTable('products')
    .dropColumn('active_epoch')
    .dropColumn('active_line')
    .execute();
}
