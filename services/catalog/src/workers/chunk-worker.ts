import { isPermanentDbError } from '@pi/db';
import type { Logger } from '@pi/logger';
import {
  CONSUMERS,
  PoisonMessageError,
  runConsumer,
  type NatsConnection,
  type RunningConsumer,
} from '@pi/messaging';
import { ImportChunk } from '@pi/proto';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ChunkApplyService } from '../services/chunk-apply.service.js';

export interface ChunkWorkerOptions {
  nc: NatsConnection;
  prefix: string;
  logger: Logger;
  service: ChunkApplyService;
  concurrency: number;
  registry: Registry;
}

/** The import id is the last token of a chunk's subject: `<prefix>.chunks.<importId>`. */
const importIdOf = (subject: string) => subject.slice(subject.lastIndexOf('.') + 1);

function decodeChunk(data: Uint8Array): ImportChunk {
  try {
    return ImportChunk.decode(data);
  } catch (err) {
    throw new PoisonMessageError(
      `the chunk message is not a valid ImportChunk: ${(err as Error).message}`,
    );
  }
}

/**
 * Pulls chunks from the one durable consumer every catalog replica shares and applies them.
 * Transient failures (deadlocks, lost connections, NATS timeouts) are retried with backoff; a
 * chunk that can never apply fails its import with the reason.
 */
export function startChunkWorker(o: ChunkWorkerOptions): Promise<RunningConsumer> {
  const duration = new Histogram({
    name: 'catalog_chunk_apply_seconds',
    help: 'Time to apply one import chunk (upsert + bookkeeping + event)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [o.registry],
  });
  const rowsApplied = new Counter({
    name: 'catalog_import_rows_total',
    help: 'Import rows applied, by result',
    labelNames: ['result'] as const,
    registers: [o.registry],
  });
  const chunks = new Counter({
    name: 'catalog_chunks_total',
    help: 'Import chunks handled, by outcome',
    labelNames: ['outcome'] as const,
    registers: [o.registry],
  });

  return runConsumer({
    nc: o.nc,
    prefix: o.prefix,
    spec: CONSUMERS.catalogWorkers,
    logger: o.logger,
    concurrency: o.concurrency,
    handle: async (data) => {
      const chunk = decodeChunk(data);
      const end = duration.startTimer();
      try {
        const result = await o.service.apply(chunk);
        if (result.firstTime) {
          rowsApplied.inc({ result: 'inserted' }, result.inserted);
          rowsApplied.inc({ result: 'updated' }, result.updated);
        }
        chunks.inc({ outcome: result.firstTime ? 'applied' : 'duplicate' });
      } catch (err) {
        if (isPermanentDbError(err)) {
          throw new PoisonMessageError(
            `chunk ${chunk.seq} could not be stored: ${(err as Error).message}`,
          );
        }
        throw err;
      } finally {
        end();
      }
    },
    onGiveUp: async (_data, err, ctx) => {
      chunks.inc({ outcome: 'failed' });
      const reason =
        err instanceof PoisonMessageError
          ? err.message
          : `a chunk kept failing: ${(err as Error).message}`;
      await o.service.failImport(importIdOf(ctx.subject), `Import failed: ${reason}`);
    },
  });
}
