import type { EventEnvelope } from '@pi/proto';
import type { Logger } from 'pino';
import type { ChunkResultsRepository } from '../repositories/chunk-results.repository.js';
import type { ImportsRepository } from '../repositories/imports.repository.js';
import type { Completion } from './completion.js';
import type { ImportCommands } from './import-commands.js';
import type { RunningImports } from './running.js';

/**
 * Ingest's side of the event-sourced lifecycle: folds what the catalog reports. Every handler is
 * idempotent and tolerates any arrival order (a chunk applied before the split finished, say).
 */
export class Lifecycle {
  constructor(
    private readonly d: {
      imports: ImportsRepository;
      chunkResults: ChunkResultsRepository;
      completion: Completion;
      commands: ImportCommands;
      running: RunningImports;
      logger: Logger;
    },
  ) {}

  async chunkApplied(e: EventEnvelope): Promise<void> {
    if (e.payload?.$case !== 'importChunkApplied') return;
    if (!(await this.d.imports.get(e.aggregateId))) {
      this.d.logger.warn({ importId: e.aggregateId }, 'chunk applied for an unknown import');
      return;
    }
    const { seq, rows, inserted, updated } = e.payload.value;
    await this.d.chunkResults.record({ importId: e.aggregateId, seq, rows, inserted, updated });
    await this.d.completion.tryComplete(e.aggregateId);
  }

  async splitFinished(e: EventEnvelope): Promise<void> {
    await this.d.completion.tryComplete(e.aggregateId);
  }

  /** A failure the catalog reported (or our own, seen again): stop splitting, drop what is pending. */
  async failed(e: EventEnvelope): Promise<void> {
    if (e.payload?.$case !== 'importFailed') return;
    const ended = await this.d.imports.endIfOpen(
      e.aggregateId,
      'failed',
      e.payload.value.reason,
      true,
    );
    if (!ended) return;
    this.d.logger.warn({ importId: ended.id, reason: ended.error }, 'import failed in the catalog');
    this.d.running.stop(ended.id, 'the catalog failed the import');
    await this.d.commands.purgeChunks(ended.id);
  }
}
