import { newEvent } from '@pi/contracts';
import type { EventEnvelope, ImportChunk } from '@pi/proto';
import type { ChunkCounts, ChunkRepository } from '../repositories/chunk.repository.js';

export interface EventPublisher {
  publishEvent(event: EventEnvelope): Promise<void>;
}

export interface ApplyResult extends ChunkCounts {
  /** False when the chunk had been applied before (a redelivery or a republished chunk). */
  firstTime: boolean;
}

/**
 * Applies import chunks exactly once and reports each with an `import.chunk_applied` event.
 * The event goes out after the commit; if the process dies in between, the redelivered chunk
 * finds its counts stored and publishes the same event again (same id, so it is deduplicated).
 */
export class ChunkApplyService {
  constructor(
    private readonly repo: ChunkRepository,
    private readonly events: EventPublisher,
  ) {}

  async apply(chunk: ImportChunk): Promise<ApplyResult> {
    const result = await this.repo.inTransaction(async (tx): Promise<ApplyResult> => {
      const rows = chunk.rows.length;
      await tx.lockTombstones();
      if (!(await tx.claim(chunk.importId, chunk.seq, rows))) {
        const stored = await tx.findCounts(chunk.importId, chunk.seq);
        return { ...(stored ?? { rows, inserted: 0, updated: 0 }), firstTime: false };
      }
      const inserted = await tx.upsertRows(chunk.epoch, chunk.rows);
      const counts = { rows, inserted, updated: rows - inserted };
      await tx.recordCounts(chunk.importId, chunk.seq, counts);
      return { ...counts, firstTime: true };
    });
    await this.events.publishEvent(
      newEvent(
        'import.chunk_applied',
        chunk.importId,
        { seq: chunk.seq, rows: result.rows, inserted: result.inserted, updated: result.updated },
        { id: `${chunk.importId}:applied:${chunk.seq}` },
      ),
    );
    return result;
  }

  /** Reports an import whose chunk can never be applied, so it fails instead of hanging. */
  async failImport(importId: string, reason: string): Promise<void> {
    await this.events.publishEvent(
      newEvent('import.failed', importId, { reason }, { id: `${importId}:failed` }),
    );
  }
}
