import type { Logger } from 'pino';
import type { ChunkResultsRepository } from '../repositories/chunk-results.repository.js';
import type { ImportsRepository } from '../repositories/imports.repository.js';
import type { ImportCommands } from './import-commands.js';

/**
 * Decides when an import is complete: its split has finished and the catalog reported every
 * chunk applied. Decided under a row lock, so concurrent events complete it exactly once.
 */
export class Completion {
  constructor(
    private readonly d: {
      imports: ImportsRepository;
      chunkResults: ChunkResultsRepository;
      commands: ImportCommands;
      logger: Logger;
    },
  ) {}

  async tryComplete(importId: string): Promise<void> {
    // Until the split has finished nothing can complete, and the split's end calls this again
    // after its commit, so a chunk result recorded before then is counted there: no row lock for
    // every chunk of a file still being split.
    if ((await this.d.imports.get(importId))?.state !== 'split') return;
    const completed = await this.d.imports.transaction(async (trx) => {
      const i = await this.d.imports.getForUpdate(trx, importId);
      if (i?.state !== 'split' || i.total_chunks === null) return undefined;
      const totals = await this.d.chunkResults.totals(trx, importId);
      if (totals.chunks < i.total_chunks) return undefined;
      return this.d.imports.complete(trx, importId, {
        inserted: totals.inserted,
        updated: totals.updated,
      });
    });
    if (!completed) return;
    this.d.logger.info(
      { importId, inserted: completed.inserted, updated: completed.updated },
      'import completed',
    );
    await this.d.commands.announceEnd(completed);
  }
}
