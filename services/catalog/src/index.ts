import { createDb, pingDb, migrateCommand } from '@pi/db';
import { Publisher, connectNats, pingNats, provisionJetStream } from '@pi/messaging';
import { CatalogInternalServiceService } from '@pi/proto';
import { createServiceShell, runMain } from '@pi/service';
import { loadConfig } from './config.js';
import type { CatalogDatabase } from './db.js';
import { catalogInternalHandlers } from './handlers/internal.grpc.js';
import { ChunkRepository } from './repositories/chunk.repository.js';
import { ChunkApplyService } from './services/chunk-apply.service.js';
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
      () => nc.drain(),
      () => db.destroy(),
    );
    await shell.start();
  },
});
