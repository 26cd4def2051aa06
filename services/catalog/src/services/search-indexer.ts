import type { Logger } from '@pi/logger';
import type { CatalogStore } from '../repositories/catalog-store.js';

export interface SearchIndexerOptions {
  store: CatalogStore;
  logger: Logger;
  /** How long the backlog must stand still (no product writes) before indexing starts. */
  quietMs: number;
  batchSize: number;
  /** A backlog at least this large is cheaper to fold by rebuilding the whole index. */
  rebuildAt: number;
  /** How often the backlog is looked at. */
  checkMs?: number;
}

/**
 * Folds `search_backlog` into `product_search` while nobody writes products, so maintaining the
 * trigram index never competes with an import for the CPU and the disk. Until then, searches check
 * backlog products directly (correct, only slower). Also folds the product count deltas.
 */
const COMPACT_EVERY_MS = 10_000;

export function startSearchIndexer(o: SearchIndexerOptions) {
  const checkMs = o.checkMs ?? Math.min(500, o.quietMs);
  let running = true;
  let lastHead = 0;
  let stillSince = Date.now();
  let timer: NodeJS.Timeout | undefined;

  const indexWhileQuiet = async () => {
    for (;;) {
      const { head, span } = await o.store.repos.search.backlogState();
      if (head === 0 || !running) return;
      if (head !== lastHead) {
        lastHead = head;
        stillSince = Date.now();
        return;
      }
      if (Date.now() - stillSince < o.quietMs) return;
      if (span >= o.rebuildAt) {
        // Another replica holding the indexer lock is rebuilding already.
        if (!(await rebuild(span))) return;
        continue;
      }
      const consumed = await o.store.transaction(async (tx) => {
        if (!(await tx.search.tryLeadIndexer())) return 0;
        await tx.search.lockProductsForIndexing();
        if (await tx.search.clearIfRequested()) return 1;
        return tx.search.indexBatch(o.batchSize);
      });
      if (consumed === 0) return;
      o.logger.debug({ consumed }, 'search documents updated');
    }
  };

  const rebuild = async (backlog: number) => {
    const started = Date.now();
    const rebuilt = await o.store.transaction(async (tx) => {
      if (!(await tx.search.tryLeadIndexer())) return false;
      await tx.search.rebuild();
      return true;
    }, 'repeatable read');
    if (rebuilt) o.logger.info({ backlog, ms: Date.now() - started }, 'search index rebuilt');
    return rebuilt;
  };

  let lastCompaction = 0;
  const compactCount = async () => {
    if (Date.now() - lastCompaction < COMPACT_EVERY_MS) return;
    lastCompaction = Date.now();
    await o.store.repos.products.compactCount();
  };

  const tick = async () => {
    try {
      await compactCount();
      await indexWhileQuiet();
    } catch (err) {
      o.logger.warn({ err }, 'search indexing failed; will retry');
    }
    if (running) timer = setTimeout(() => (current = tick()), checkMs);
  };
  let current = tick();
  return {
    async stop() {
      running = false;
      clearTimeout(timer);
      await current;
    },
  };
}
