import { sql, type Kysely, type Transaction } from '@pi/db';
import { OPEN_STATES, type ImportRow, type IngestDatabase, type ImportState } from '../db.js';

type Db = Kysely<IngestDatabase> | Transaction<IngestDatabase>;

export interface NewImport {
  id: string;
  filename: string;
  objectKey: string;
  epoch: number;
  state: Extract<ImportState, 'uploading' | 'queued'>;
  sizeHint: number | null;
  sizeBytes: number | null;
  retryOf: string | null;
  header: string[] | null;
  leaseOwner: string | null;
  leaseMs: number;
}

export interface SplitTotals {
  totalRows: number;
  validRows: number;
  rejected: number;
  totalChunks: number;
  warnings: string[];
}

const TERMINAL: readonly ImportState[] = ['completed', 'failed', 'cancelled'];
/** Key of the transaction-level advisory lock that serialises claims across ingest replicas. */
const CLAIM_LOCK_KEY = 7_460_211;

const leaseUntil = (ms: number) => sql<Date>`now() + ${`${ms} milliseconds`}::interval`;

/** The imports ingest owns: one query per method. */
export class ImportsRepository {
  constructor(readonly db: Kysely<IngestDatabase>) {}

  transaction<T>(fn: (trx: Transaction<IngestDatabase>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  async insert(i: NewImport): Promise<ImportRow> {
    return this.db
      .insertInto('ingest_imports')
      .values({
        id: i.id,
        filename: i.filename,
        object_key: i.objectKey,
        epoch: i.epoch,
        state: i.state,
        size_hint: i.sizeHint,
        size_bytes: i.sizeBytes,
        retry_of: i.retryOf,
        header: i.header,
        lease_owner: i.leaseOwner,
        lease_until: i.leaseOwner ? leaseUntil(i.leaseMs) : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async get(id: string, db: Db = this.db): Promise<ImportRow | undefined> {
    return db.selectFrom('ingest_imports').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Locks the row until the transaction ends (completion is decided under this lock). */
  async getForUpdate(trx: Transaction<IngestDatabase>, id: string): Promise<ImportRow | undefined> {
    return trx
      .selectFrom('ingest_imports')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  /** The upload is stored: the import joins the split queue unless it was cancelled meanwhile. */
  async finishUpload(id: string, sizeBytes: number): Promise<ImportRow | undefined> {
    return this.db
      .updateTable('ingest_imports')
      .set({ state: 'queued', size_bytes: sizeBytes, lease_owner: null, lease_until: null })
      .where('id', '=', id)
      .where('state', '=', 'uploading')
      .returningAll()
      .executeTakeFirst();
  }

  /** Moves an unfinished import to a terminal state; undefined when it had already ended. */
  async endIfOpen(
    id: string,
    state: Extract<ImportState, 'failed' | 'cancelled'>,
    error: string | null,
    outcomePublished: boolean,
  ): Promise<ImportRow | undefined> {
    return this.db
      .updateTable('ingest_imports')
      .set({
        state,
        error,
        outcome_published: outcomePublished,
        finished_at: sql`now()`,
        lease_owner: null,
        lease_until: null,
      })
      .where('id', '=', id)
      .where('state', 'in', OPEN_STATES)
      .returningAll()
      .executeTakeFirst();
  }

  async markOutcomePublished(id: string): Promise<void> {
    await this.db
      .updateTable('ingest_imports')
      .set({ outcome_published: true })
      .where('id', '=', id)
      .execute();
  }

  /** Extends the lease of the holder; false when the import is no longer in that state or theirs. */
  async renewLease(
    id: string,
    owner: string,
    state: ImportState,
    leaseMs: number,
    progress: { bytesRead: number; rowsRead: number } | undefined,
  ): Promise<boolean> {
    const row = await this.db
      .updateTable('ingest_imports')
      .set({
        lease_until: leaseUntil(leaseMs),
        ...(progress ? { bytes_read: progress.bytesRead, rows_read: progress.rowsRead } : {}),
      })
      .where('id', '=', id)
      .where('state', '=', state)
      .where('lease_owner', '=', owner)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Takes the next import to split, oldest epoch first, unless another replica holds a live split
   * lease: one import splits at a time. A split whose lease expired (its replica died) is taken
   * again and re-split from the start.
   */
  async claimNextSplit(owner: string, leaseMs: number): Promise<ImportRow | undefined> {
    return this.transaction(async (trx) => {
      await sql`select pg_advisory_xact_lock(${CLAIM_LOCK_KEY})`.execute(trx);
      const busy = await trx
        .selectFrom('ingest_imports')
        .select('id')
        .where('state', '=', 'splitting')
        .where('lease_until', '>', sql<Date>`now()`)
        .executeTakeFirst();
      if (busy) return undefined;
      return trx
        .updateTable('ingest_imports')
        .set({
          state: 'splitting',
          lease_owner: owner,
          lease_until: leaseUntil(leaseMs),
          split_attempts: sql`split_attempts + 1`,
          started_at: sql`coalesce(started_at, now())`,
        })
        .where(
          'id',
          '=',
          trx
            .selectFrom('ingest_imports')
            .select('id')
            .where('state', 'in', ['queued', 'splitting'])
            .orderBy('epoch')
            .limit(1),
        )
        .returningAll()
        .executeTakeFirst();
    });
  }

  async saveHeader(id: string, header: string[]): Promise<void> {
    await this.db.updateTable('ingest_imports').set({ header }).where('id', '=', id).execute();
  }

  /** Records the split's totals; undefined when the import was cancelled or failed meanwhile. */
  async finishSplit(id: string, owner: string, t: SplitTotals): Promise<ImportRow | undefined> {
    return this.db
      .updateTable('ingest_imports')
      .set({
        state: 'split',
        total_rows: t.totalRows,
        valid_rows: t.validRows,
        rejected: t.rejected,
        rows_read: t.totalRows,
        bytes_read: sql`coalesce(size_bytes, bytes_read)`,
        total_chunks: t.totalChunks,
        warnings: t.warnings,
        lease_owner: null,
        lease_until: null,
      })
      .where('id', '=', id)
      .where('state', '=', 'splitting')
      .where('lease_owner', '=', owner)
      .returningAll()
      .executeTakeFirst();
  }

  /** Gives a split back to the queue after a transient failure. */
  async releaseSplit(id: string, owner: string): Promise<void> {
    await this.db
      .updateTable('ingest_imports')
      .set({ lease_until: sql`now()` })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'splitting')
      .execute();
  }

  async complete(
    trx: Transaction<IngestDatabase>,
    id: string,
    counts: { inserted: number; updated: number },
  ): Promise<ImportRow> {
    return trx
      .updateTable('ingest_imports')
      .set({ state: 'completed', ...counts, finished_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Uploads whose process stopped renewing their lease: they can never finish. */
  async failAbandonedUploads(reason: string): Promise<ImportRow[]> {
    return this.db
      .updateTable('ingest_imports')
      .set({ state: 'failed', error: reason, finished_at: sql`now()`, lease_owner: null })
      .where('state', '=', 'uploading')
      .where('lease_until', '<', sql<Date>`now()`)
      .returningAll()
      .execute();
  }

  /** Ended imports whose terminal event may not have gone out (a crash between commit and publish). */
  async unpublishedOutcomes(olderThanMs: number): Promise<ImportRow[]> {
    return this.db
      .selectFrom('ingest_imports')
      .selectAll()
      .where('state', 'in', TERMINAL)
      .where('outcome_published', '=', false)
      .where('finished_at', '<', sql<Date>`now() - ${`${olderThanMs} milliseconds`}::interval`)
      .execute();
  }
}
