import { sql, type Kysely } from 'kysely';

/**
 * Search answers from `product_search` alone once it is caught up, so it carries the filterable
 * columns (not one combined text): a broad search then never joins half the catalogue to
 * `products`. The old table is replaced and every product queued for the indexer.
 *
 * `product_count_deltas` keeps the exact number of products without a hot row: each statement that
 * inserts or deletes products appends its delta (statement triggers, so an import chunk adds one
 * row), and the indexer folds the rows into one now and then.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('product_search').execute();
  await sql`
    create table product_search (
      product_id bigint not null,
      sku text not null,
      name text not null,
      description text not null,
      active boolean not null
    )`.execute(db);
  await sql`create unique index product_search_product_id on product_search (product_id)`.execute(
    db,
  );
  await sql`
    create index product_search_doc_trgm on product_search
    using gin ((sku || chr(10) || name || chr(10) || description) gin_trgm_ops)`.execute(db);
  await sql`
    create index product_search_inactive on product_search (product_id) where not active`.execute(
    db,
  );
  await sql`insert into search_backlog (product_id) select id from products`.execute(db);

  await sql`create table product_count_deltas (delta bigint not null)`.execute(db);
  await sql`insert into product_count_deltas select count(*) from products`.execute(db);
  await sql`
    create function note_products_inserted() returns trigger language plpgsql as $$
    begin
      insert into product_count_deltas select count(*) from inserted_products having count(*) > 0;
      return null;
    end $$`.execute(db);
  await sql`
    create function note_products_deleted() returns trigger language plpgsql as $$
    begin
      insert into product_count_deltas select -count(*) from deleted_products having count(*) > 0;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger products_count_insert after insert on products
    referencing new table as inserted_products
    for each statement execute function note_products_inserted()`.execute(db);
  await sql`
    create trigger products_count_delete after delete on products
    referencing old table as deleted_products
    for each statement execute function note_products_deleted()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger products_count_delete on products`.execute(db);
  await sql`drop trigger products_count_insert on products`.execute(db);
  await sql`drop function note_products_deleted()`.execute(db);
  await sql`drop function note_products_inserted()`.execute(db);
  await db.schema.dropTable('product_count_deltas').execute();
  await db.schema.dropTable('product_search').execute();
  await sql`create table product_search (product_id bigint primary key, doc text not null)`.execute(
    db,
  );
  await sql`create index product_search_doc_trgm on product_search using gin (doc gin_trgm_ops)`.execute(
    db,
  );
  await sql`insert into search_backlog (product_id) select id from products`.execute(db);
}
