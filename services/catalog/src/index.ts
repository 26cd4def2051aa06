import { createDb, pingDb, migrateCommand } from '@pi/db';
import { Publisher, connectNats, pingNats, provisionJetStream } from '@pi/messaging';
import { CatalogInternalServiceService, CatalogServiceService } from '@pi/proto';
import { createServiceShell, runMain } from '@pi/service';
import { loadConfig } from './config.js';
import type { CatalogDatabase } from './db.js';
import { catalogHandlers } from './handlers/catalog.grpc.js';
import { catalogInternalHandlers } from './handlers/internal.grpc.js';
import { CatalogStore } from './repositories/catalog-store.js';
import { listenForOutbox } from './repositories/outbox-listener.js';
import { ChunkRepository } from './repositories/chunk.repository.js';
import { ChunkApplyService } from './services/chunk-apply.service.js';
import { startOutboxRelay } from './services/outbox-relay.js';
import { productMetrics } from './services/product-metrics.js';
import { ProductsService } from './services/products.service.js';
import { startSearchIndexer } from './services/search-indexer.js';
import { startChunkWorker } from './workers/chunk-worker.js';

const NAME = 'catalog';

runMain(NAME, {
  migrate: migrateCommand(NAME, new URL('./migrations', import.meta.url)),
  serve: async () => {
    const config = loadConfig();
    const shell = createServiceShell(NAME, config, ['importer.v1.CatalogService']);
    const db = createDb<CatalogDatabase>({
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      applicationName: NAME,
    });
    const nc = await connectNats(config.NATS_URL, NAME, shell.logger);
    await provisionJetStream(nc, { prefix: config.NATS_PREFIX });

    const publisher = new Publisher(nc, config.NATS_PREFIX);
    const chunks = new ChunkRepository(db);
    shell.grpc.addService(CatalogInternalServiceService, catalogInternalHandlers(chunks));
    const store = new CatalogStore(db);
    const metrics = productMetrics(shell.metrics.registry, store);
    shell.grpc.addService(CatalogServiceService, catalogHandlers(new ProductsService(store)));
    const relay = startOutboxRelay({
      store,
      publisher,
      wakeups: await listenForOutbox(config.DATABASE_URL, shell.logger),
      logger: shell.logger,
      pollMs: config.OUTBOX_POLL_MS,
      fault: config.OUTBOX_TEST_FAULT,
      onPublished: (count) => metrics.published.inc(count),
    });
    const indexer = startSearchIndexer({
      store,
      logger: shell.logger,
      quietMs: config.SEARCH_INDEX_QUIET_MS,
      batchSize: config.SEARCH_INDEX_BATCH,
      rebuildAt: config.SEARCH_INDEX_REBUILD_AT,
    });

    const worker = await startChunkWorker({
      nc,
      prefix: config.NATS_PREFIX,
      logger: shell.logger,
      service: new ChunkApplyService(chunks, publisher),
      concurrency: config.WORKER_CONCURRENCY,
      registry: shell.metrics.registry,
    });

    shell.readiness.postgres = () => pingDb(db);
    shell.readiness.nats = () => pingNats(nc);
    // Stop pulling and finish in-flight chunks before the connections close.
    shell.onShutdown.push(
      () => worker.stop(),
      () => indexer.stop(),
      () => relay.stop(),
      () => nc.drain(),
      () => db.destroy(),
    );
    await shell.start();
  },
});
