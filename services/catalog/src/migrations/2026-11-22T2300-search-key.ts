import { sql, type Kysely } from 'kysely';

/**
 * The trigram index moves to `search_key`: the product's sku, name and description lowercased with
 * spaces and the commonest punctuation (`,` `-` `.`) removed (`product_search_key`). pg_trgm cuts
 * text into words, so on the plain text a phrase such as "vintage rustic" could only look up the
 * trigrams of each word: with common words that meant intersecting posting lists of a fifth of the
 * catalogue each (README, "Search design"). Without separators, trigrams also span word boundaries
 * ("eru", "ger"), which are rare, and GIN reads only the rarest lists in full.
 *
 * The key only narrows the candidates: the filters still compare the real columns with ILIKE. That
 * is exact because removing characters keeps substrings: when a column contains a term, the key
 * contains the term's key. `replace` rather than a regular expression: it is 5× cheaper, which
 * matters when 500K keys are computed at once.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function product_search_key(text) returns text
    language sql immutable strict parallel safe
    return replace(replace(replace(replace(lower($1), ' ', ''), ',', ''), '-', ''), '.', '')`.execute(
    db,
  );
  await db.schema.dropTable('product_search').execute();
  await sql`
    create table product_search (
      product_id bigint not null,
      sku text not null,
      name text not null,
      description text not null,
      active boolean not null,
      search_key text not null
    )`.execute(db);
  await sql`create unique index product_search_product_id on product_search (product_id)`.execute(
    db,
  );
  await sql`
    create index product_search_key_trgm on product_search
    using gin (search_key gin_trgm_ops)`.execute(db);
  await sql`
    create index product_search_inactive on product_search (product_id) where not active`.execute(
    db,
  );
  await sql`insert into search_backlog (product_id) select id from products`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function down(db: Kysely<any>): Promise<void> {
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
  await sql`drop function product_search_key(text)`.execute(db);
  await sql`insert into search_backlog (product_id) select id from products`.execute(db);
}
