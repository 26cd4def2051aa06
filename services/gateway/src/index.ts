import { createDb, migrateCommand, pingDb } from '@pi/db';
import { createLogger, type Logger } from '@pi/logger';
import { connectNats, pingNats, provisionJetStream } from '@pi/messaging';
import { CatalogServiceService, ImportServiceService, WebhookServiceService } from '@pi/proto';
import { createServiceShell, runMain } from '@pi/service';
import { backendHealth } from './backends.js';
import { createClients } from './clients.js';
import { loadConfig, type GatewayConfig } from './config.js';
import { catalogService } from './grpc/catalog.js';
import { importService } from './grpc/imports.js';
import { addReflection } from './grpc/reflection.js';
import { webhookService } from './grpc/webhooks.js';
import { replayProjection, startProjection, type GatewayDatabase } from './projection/index.js';
import { apiRouter } from './routes/api.js';
import { importCommandsRouter } from './routes/import-commands.js';
import { importQueriesRouter } from './routes/import-queries.js';
import { productsRouter } from './routes/products.js';
import { serveDashboard } from './routes/static.js';
import { webhooksRouter } from './routes/webhooks.js';

const NAME = 'gateway';

/** PostgreSQL (the progress projection's tables) and NATS (the events it folds). */
async function connectBackingServices(config: GatewayConfig, logger: Logger) {
  const db = createDb<GatewayDatabase>({
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
    applicationName: NAME,
  });
  const nc = await connectNats(config.NATS_URL, NAME, logger);
  await provisionJetStream(nc, { prefix: config.NATS_PREFIX });
  return { db, nc };
}

runMain(NAME, {
  migrate: migrateCommand(NAME, new URL('./migrations', import.meta.url)),
  'rebuild-projection': async () => {
    const config = loadConfig();
    const logger = createLogger(NAME, config.LOG_LEVEL);
    const { db, nc } = await connectBackingServices(config, logger);
    try {
      const events = await replayProjection({ db, nc, prefix: config.NATS_PREFIX, logger });
      logger.info({ events }, 'progress projection rebuilt');
    } finally {
      await nc.drain();
      await db.destroy();
    }
    return 'exit';
  },
  serve: async () => {
    const config = loadConfig();
    const shell = createServiceShell(NAME, config, [
      'importer.v1.ImportService',
      'importer.v1.WebhookService',
    ]);
    addReflection(shell.grpc);

    const { db, nc } = await connectBackingServices(config, shell.logger);
    shell.readiness.postgres = () => pingDb(db);
    shell.readiness.nats = () => pingNats(nc);
    const backends = backendHealth(config);
    Object.assign(shell.readiness, backends.checks);
    const clients = createClients(config);

    const projection = await startProjection({
      db,
      databaseUrl: config.DATABASE_URL,
      nc,
      prefix: config.NATS_PREFIX,
      registry: shell.metrics.registry,
      logger: shell.logger,
    });
    shell.onShutdown.push(() => projection.stop());

    shell.grpc.addService(
      ImportServiceService,
      importService({ queries: projection.queries, ingest: clients.ingest }),
    );
    shell.grpc.addService(WebhookServiceService, webhookService(clients.webhooks));
    const products = { catalog: clients.catalog, imports: projection.queries };
    shell.grpc.addService(CatalogServiceService, catalogService(products));
    shell.app.use(
      '/api',
      apiRouter([
        importQueriesRouter(projection.queries),
        importCommandsRouter(clients.ingest, { maxUploadBytes: config.MAX_UPLOAD_BYTES }),
        webhooksRouter(clients.webhooks),
        productsRouter(products),
      ]),
    );
    serveDashboard(shell.app, config.WEB_DIR);

    // Last, so every feature's own shutdown step still has its connections.
    shell.onShutdown.push(
      () => nc.drain(),
      () => db.destroy(),
      async () => clients.close(),
      async () => backends.close(),
    );
    await shell.start();
  },
});
