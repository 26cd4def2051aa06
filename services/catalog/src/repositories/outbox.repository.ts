import { sql, type Kysely } from '@pi/db';
import { encodeEvent } from '@pi/contracts';
import type { EventEnvelope } from '@pi/proto';
import type { CatalogDatabase } from '../db.js';

/** PostgreSQL channel the relay listens on; a NOTIFY is delivered only when its transaction commits. */
export const OUTBOX_CHANNEL = 'catalog_outbox';

/** Advisory lock key: one relay publishes at a time, so events leave in commit-id order. */
const RELAY_LOCK = 0x0b0c_a7a1;

export interface PendingEvent {
  id: string;
  envelope: Uint8Array;
}

/** The transactional outbox: product events stored with the write, published after commit. */
export class OutboxRepository {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  /** Stores an event in the caller's transaction and wakes the relays when it commits. */
  async add(event: EventEnvelope): Promise<void> {
    await this.db
      .with('stored', (db) =>
        db
          .insertInto('outbox')
          .values({ event_id: event.id, event_type: event.type, envelope: encodeEvent(event) })
          .returning('id'),
      )
      .selectFrom('stored')
      .select(sql`pg_notify(${OUTBOX_CHANNEL}, '')`.as('notified'))
      .execute();
  }

  /** True when this transaction became the one relay publishing now (released at its end). */
  async tryLeadRelay(): Promise<boolean> {
    const { rows } = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(${RELAY_LOCK}) as locked`.execute(this.db);
    return rows[0]?.locked === true;
  }

  /** The oldest unpublished events, locked; rows another transaction holds are skipped. */
  async claimPending(limit: number): Promise<PendingEvent[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .select(['id', 'envelope'])
      .where('published_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    return rows.map((r) => ({ id: String(r.id), envelope: r.envelope }));
  }

  async markPublished(ids: string[]): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ published_at: sql<Date>`now()` })
      .where('id', 'in', ids)
      .execute();
  }

  /** Published rows are kept a while for inspection, then removed. */
  async deletePublishedBefore(cutoff: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('outbox')
      .where('published_at', '<', cutoff)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
