import { sql, type Kysely } from '@pi/db';

/**
 * The progress projection: one row per import, folded from the import events only (it can be
 * dropped and rebuilt by replaying the events stream). `import_progress_chunks` remembers which
 * chunk results were counted, so a redelivered `import.chunk_applied` is counted once.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_progress')
    .addColumn('import_id', 'text', (c) => c.primaryKey())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total_bytes', 'bigint', (c) => c.notNull())
    .addColumn('bytes_read', 'bigint', (c) => c.notNull())
    .addColumn('rows_read', 'bigint', (c) => c.notNull())
    .addColumn('rejected', 'bigint', (c) => c.notNull())
    .addColumn('applied_rows', 'bigint', (c) => c.notNull())
    .addColumn('applied_inserted', 'bigint', (c) => c.notNull())
    .addColumn('applied_updated', 'bigint', (c) => c.notNull())
    .addColumn('split_totals', 'jsonb')
    .addColumn('final_totals', 'jsonb')
    .addColumn('rows_per_second', 'double precision', (c) => c.notNull())
    .addColumn('rate_sample_at', 'timestamptz')
    .addColumn('rate_sample_rows', 'bigint', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('warnings', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  // Newest-first listing with a (created_at, import_id) cursor.
  await db.schema
    .createIndex('import_progress_created_idx')
    .on('import_progress')
    .columns(['created_at desc', 'import_id desc'])
    .execute();
  // Delete-all asks whether any import is still running.
  await sql`create index import_progress_active_idx on import_progress (status)
    where status in ('queued', 'parsing', 'importing')`.execute(db);
  await db.schema
    .createTable('import_progress_chunks')
    .addColumn('import_id', 'text', (c) =>
      c.notNull().references('import_progress.import_id').onDelete('cascade'),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('import_progress_chunks_pk', ['import_id', 'seq'])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_progress_chunks').execute();
  await db.schema.dropTable('import_progress').execute();
}
