import { sql, type Kysely, type Transaction } from '@pi/db';
import type { IngestDatabase } from '../db.js';

export interface ChunkResult {
  importId: string;
  seq: number;
  rows: number;
  inserted: number;
  updated: number;
}

/** What the catalog reported for every applied chunk: completion is counted from here. */
export class ChunkResultsRepository {
  constructor(private readonly db: Kysely<IngestDatabase>) {}

  /** Idempotent: a republished chunk_applied event is recorded once. */
  async record(r: ChunkResult): Promise<void> {
    await this.db
      .insertInto('ingest_chunk_results')
      .values({
        import_id: r.importId,
        seq: r.seq,
        rows: r.rows,
        inserted: r.inserted,
        updated: r.updated,
      })
      .onConflict((oc) => oc.columns(['import_id', 'seq']).doNothing())
      .execute();
  }

  async totals(trx: Transaction<IngestDatabase>, importId: string) {
    return trx
      .selectFrom('ingest_chunk_results')
      .select([
        sql<number>`count(*)::int`.as('chunks'),
        sql<number>`coalesce(sum(inserted), 0)::bigint`.as('inserted'),
        sql<number>`coalesce(sum(updated), 0)::bigint`.as('updated'),
      ])
      .where('import_id', '=', importId)
      .executeTakeFirstOrThrow();
  }
}
