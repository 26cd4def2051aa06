import { newEvent } from '@pi/contracts';
import type { Publisher } from '@pi/messaging';
import type { ImportRow } from '../db.js';
import type { SplitProgress, SplitResult } from '../csv/splitter.js';

/**
 * The lifecycle events ingest publishes. Ids are derived from the import, so publishing one again
 * (a resumed split, a republished outcome) is dropped by JetStream's dedupe or by consumers.
 */
export class ImportEvents {
  constructor(private readonly publisher: Publisher) {}

  created(i: ImportRow) {
    return this.publish(
      newEvent(
        'import.created',
        i.id,
        {
          filename: i.filename,
          objectKey: i.object_key,
          totalBytes: i.size_bytes ?? i.size_hint ?? 0,
          epoch: i.epoch,
          retryOf: i.retry_of ?? undefined,
        },
        { id: `${i.id}:created`, occurredAt: i.created_at },
      ),
    );
  }

  started(i: ImportRow) {
    return this.publish(
      newEvent(
        'import.started',
        i.id,
        { totalBytes: i.size_bytes ?? 0 },
        { id: `${i.id}:started:${i.split_attempts}` },
      ),
    );
  }

  progress(importId: string, p: SplitProgress) {
    return this.publish(newEvent('import.split_progress', importId, p));
  }

  splitFinished(importId: string, r: SplitResult) {
    return this.publish(
      newEvent(
        'import.split_finished',
        importId,
        {
          totalRows: r.totalRows,
          validRows: r.validRows,
          rejected: r.rejected,
          totalChunks: r.totalChunks,
          warnings: r.warnings,
        },
        { id: `${importId}:split_finished` },
      ),
    );
  }

  /** The terminal event of an ended import (completed, failed or cancelled). */
  outcome(i: ImportRow) {
    const at = { occurredAt: i.finished_at ?? new Date() };
    switch (i.state) {
      case 'completed':
        return this.publish(
          newEvent(
            'import.completed',
            i.id,
            {
              totalRows: i.total_rows ?? 0,
              inserted: i.inserted,
              updated: i.updated,
              rejected: i.rejected,
            },
            { id: `${i.id}:completed`, ...at },
          ),
        );
      case 'failed':
        return this.publish(
          newEvent(
            'import.failed',
            i.id,
            { reason: i.error ?? '' },
            { id: `${i.id}:failed`, ...at },
          ),
        );
      case 'cancelled':
        return this.publish(
          newEvent(
            'import.cancelled',
            i.id,
            { reason: i.error ?? 'Cancelled by a user' },
            { id: `${i.id}:cancelled`, ...at },
          ),
        );
      default:
        throw new Error(`Import ${i.id} has not ended (${i.state})`);
    }
  }

  private publish(event: Parameters<Publisher['publishEvent']>[0]) {
    return this.publisher.publishEvent(event);
  }
}
