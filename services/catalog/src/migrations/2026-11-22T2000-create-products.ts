import { sql, type Kysely } from 'kysely';

/**
 * Products. `sku_key` is the case-insensitive identity (the trimmed SKU lower-cased by the
 * application); `version_epoch`/`version_line` order every write so the final state equals applying
 * writes in the order they were accepted, whatever order workers apply them in.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('products')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('sku_key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('version_epoch', 'bigint', (c) => c.notNull())
    .addColumn('version_line', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('products_sku_key_uq')
    .unique()
    .on('products')
    .column('sku_key')
    .execute();
  // Epochs order imports (one per import, taken when it is created) and manual edits (one each).
  await sql`create sequence write_epoch`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop sequence write_epoch`.execute(db);
  await db.schema.dropTable('products').execute();
}
