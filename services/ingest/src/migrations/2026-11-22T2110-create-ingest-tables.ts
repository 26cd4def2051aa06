import { sql, type Kysely } from '@pi/db';

/**
 * Ingest's own bookkeeping: imports (state, stored object, epoch, split results, the lease of the
 * replica splitting it), rejected rows, and the result of every applied chunk (to decide completion).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ingest_imports')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`state in ('uploading', 'queued', 'splitting', 'split', 'completed', 'failed', 'cancelled')`,
        ),
    )
    .addColumn('retry_of', 'uuid')
    .addColumn('size_hint', 'bigint')
    .addColumn('size_bytes', 'bigint')
    .addColumn('header', sql`text[]`)
    .addColumn('bytes_read', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_read', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_rows', 'bigint')
    .addColumn('valid_rows', 'bigint')
    .addColumn('rejected', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_chunks', 'integer')
    .addColumn('warnings', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('inserted', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('split_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('outcome_published', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('ingest_imports_active_idx')
    .on('ingest_imports')
    .columns(['state', 'epoch'])
    .where(sql.ref('state'), 'in', ['uploading', 'queued', 'splitting', 'split'])
    .execute();

  await db.schema
    .createTable('ingest_rejections')
    .addColumn('import_id', 'uuid', (c) =>
      c.notNull().references('ingest_imports.id').onDelete('cascade'),
    )
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('fields', sql`text[]`, (c) => c.notNull())
    .addPrimaryKeyConstraint('ingest_rejections_pk', ['import_id', 'line'])
    .execute();

  await db.schema
    .createTable('ingest_chunk_results')
    .addColumn('import_id', 'uuid', (c) =>
      c.notNull().references('ingest_imports.id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('inserted', 'integer', (c) => c.notNull())
    .addColumn('updated', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('ingest_chunk_results_pk', ['import_id', 'seq'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ingest_chunk_results').execute();
  await db.schema.dropTable('ingest_rejections').execute();
  await db.schema.dropTable('ingest_imports').execute();
}
