import { sql, type Kysely } from 'kysely';

/**
 * Search without slowing imports, and the transactional outbox.
 *
 * Trigram GIN indexes on `products` made bulk upserts 5–7× slower (README, "Products"), so the
 * searchable text lives in `product_search`, maintained by a background indexer. Every write to
 * `products` (import chunks and manual writes alike) notes the product id in `search_backlog` with
 * one set-based statement trigger per statement; the indexer folds the backlog into
 * `product_search` when writes pause. Queries treat backlog rows as "not indexed yet" and check
 * them directly, so search results are always exact.
 *
 * `outbox` holds product events written in the same transaction as the product change; a relay
 * publishes them to JetStream and marks them published.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await db.schema
    .createTable('product_search')
    .addColumn('product_id', 'bigint', (c) => c.primaryKey())
    .addColumn('doc', 'text', (c) => c.notNull())
    .execute();
  await sql`create index product_search_doc_trgm on product_search using gin (doc gin_trgm_ops)`.execute(
    db,
  );
  await db.schema
    .createTable('search_backlog')
    .addColumn('seq', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('product_id', 'bigint', (c) => c.notNull())
    .execute();
  await sql`
    create function note_product_search_backlog() returns trigger language plpgsql as $$
    begin
      insert into search_backlog (product_id) select id from changed_products;
      return null;
    end $$`.execute(db);
  // One trigger per event: PostgreSQL allows transition tables only on single-event triggers.
  for (const event of ['insert', 'update']) {
    await sql`
      create trigger ${sql.raw(`products_search_backlog_${event}`)}
      after ${sql.raw(event)} on products
      referencing new table as changed_products
      for each statement execute function note_product_search_backlog()`.execute(db);
  }
  // `active=false` is a filter on its own; few products are inactive, so a partial index is tiny.
  await sql`create index products_inactive_id on products (id) where not active`.execute(db);

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('envelope', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_at', 'timestamptz')
    .execute();
  await sql`create index outbox_unpublished on outbox (id) where published_at is null`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox').execute();
  await sql`drop index products_inactive_id`.execute(db);
  for (const event of ['insert', 'update']) {
    await sql`drop trigger ${sql.raw(`products_search_backlog_${event}`)} on products`.execute(db);
  }
  await sql`drop function note_product_search_backlog()`.execute(db);
  await db.schema.dropTable('search_backlog').execute();
  await db.schema.dropTable('product_search').execute();
}
