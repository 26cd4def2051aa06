import { sql, type Insertable, type Kysely } from '@pi/db';
import type { ProgressState, ProgressView } from './fold.js';
import type { GatewayDatabase, ImportProgressRow, ImportProgressTable } from './tables.js';

/** Channel the projection writer notifies on commit; the payload is the import id. */
export const PROGRESS_CHANNEL = 'import_progress';

export interface StoredProgress {
  view: ProgressView;
  version: number;
}

/** Position in the newest-first list: the last import of the previous page. */
export interface ListPosition {
  createdAt: Date;
  importId: string;
}

const ACTIVE_STATUSES = ['queued', 'parsing', 'importing'] as const;

/** The gateway's progress tables. One query per method; `transaction` scopes a fold step. */
export class ProjectionRepository {
  constructor(private readonly db: Kysely<GatewayDatabase>) {}

  transaction<T>(fn: (repo: ProjectionRepository) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(new ProjectionRepository(trx)));
  }

  /** Serialises fold steps of one import across gateway replicas, whether its row exists or not. */
  async lockImport(importId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext(${importId}))`.execute(this.db);
  }

  async find(importId: string): Promise<StoredProgress | undefined> {
    const row = await this.db
      .selectFrom('import_progress')
      .selectAll()
      .where('import_id', '=', importId)
      .executeTakeFirst();
    return row && { view: toView(row), version: row.version };
  }

  /** Whether the chunk `seq` of the import has been counted already. */
  async isApplied(importId: string, seq: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('import_progress_chunks')
      .select('seq')
      .where('import_id', '=', importId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    return row !== undefined;
  }

  async save(state: ProgressState, version: number): Promise<void> {
    const row = toRow(state, version);
    await this.db
      .insertInto('import_progress')
      .values(row)
      .onConflict((oc) => oc.column('import_id').doUpdateSet(row))
      .execute();
  }

  async addAppliedSeqs(importId: string, seqs: number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.db
      .insertInto('import_progress_chunks')
      .values(seqs.map((seq) => ({ import_id: importId, seq })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /** Delivered to listeners when the surrounding transaction commits. */
  async notifyChanged(importId: string): Promise<void> {
    await sql`select pg_notify(${PROGRESS_CHANNEL}, ${importId})`.execute(this.db);
  }

  /** Newest first; one more than `limit` tells the caller whether a next page exists. */
  async list(limit: number, after?: ListPosition): Promise<StoredProgress[]> {
    let query = this.db
      .selectFrom('import_progress')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('import_id', 'desc')
      .limit(limit);
    if (after) {
      query = query.where((eb) =>
        eb(eb.refTuple('created_at', 'import_id'), '<', eb.tuple(after.createdAt, after.importId)),
      );
    }
    const rows = await query.execute();
    return rows.map((row) => ({ view: toView(row), version: row.version }));
  }

  /** Imports still running (queued, parsing or importing), newest first. */
  async findActive(): Promise<ProgressView[]> {
    const rows = await this.db
      .selectFrom('import_progress')
      .selectAll()
      .where('status', 'in', ACTIVE_STATUSES)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toView);
  }

  /** Empties the projection before a replay (the chunks table goes with it). */
  async truncate(): Promise<void> {
    await sql`truncate import_progress, import_progress_chunks`.execute(this.db);
  }
}

function toView(row: ImportProgressRow): ProgressView {
  return {
    importId: row.import_id,
    filename: row.filename,
    status: row.status,
    totalBytes: row.total_bytes,
    bytesRead: row.bytes_read,
    rowsRead: row.rows_read,
    rejected: row.rejected,
    appliedRows: row.applied_rows,
    appliedInserted: row.applied_inserted,
    appliedUpdated: row.applied_updated,
    split: row.split_totals,
    final: row.final_totals,
    rowsPerSecond: row.rows_per_second,
    rateSample: row.rate_sample_at ? { at: row.rate_sample_at, rows: row.rate_sample_rows } : null,
    error: row.error,
    warnings: row.warnings,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function toRow(s: ProgressState, version: number): Insertable<ImportProgressTable> {
  return {
    import_id: s.importId,
    filename: s.filename,
    status: s.status,
    total_bytes: s.totalBytes,
    bytes_read: s.bytesRead,
    rows_read: s.rowsRead,
    rejected: s.rejected,
    applied_rows: s.appliedRows,
    applied_inserted: s.appliedInserted,
    applied_updated: s.appliedUpdated,
    split_totals: s.split && JSON.stringify(s.split),
    final_totals: s.final && JSON.stringify(s.final),
    rows_per_second: s.rowsPerSecond,
    rate_sample_at: s.rateSample?.at ?? null,
    rate_sample_rows: s.rateSample?.rows ?? 0,
    error: s.error,
    warnings: JSON.stringify(s.warnings),
    created_at: s.createdAt,
    started_at: s.startedAt,
    finished_at: s.finishedAt,
    version,
  };
}
