import type { Kysely } from '@pi/db';
import type { IngestDatabase, RejectionRow } from '../db.js';

/** Rejected rows of imports. */
export class RejectionsRepository {
  constructor(private readonly db: Kysely<IngestDatabase>) {}

  /** Idempotent: a re-split after a crash stores the same rows again. */
  async insertMany(rows: RejectionRow[]): Promise<void> {
    if (!rows.length) return;
    await this.db
      .insertInto('ingest_rejections')
      .values(rows)
      .onConflict((oc) => oc.columns(['import_id', 'line']).doNothing())
      .execute();
  }

  /** A page in line order, after `afterLine`. */
  async page(importId: string, afterLine: number, limit: number): Promise<RejectionRow[]> {
    return this.db
      .selectFrom('ingest_rejections')
      .selectAll()
      .where('import_id', '=', importId)
      .where('line', '>', afterLine)
      .orderBy('line')
      .limit(limit)
      .execute();
  }
}
