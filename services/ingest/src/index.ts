import { randomUUID } from 'node:crypto';
import { createDb, pingDb, migrateCommand } from '@pi/db';
import {
  CONSUMERS,
  Publisher,
  connectNats,
  pingNats,
  provisionJetStream,
  runEventConsumer,
} from '@pi/messaging';
import { IngestServiceService } from '@pi/proto';
import { createServiceShell, runMain } from '@pi/service';
import { ObjectStore } from '@pi/storage';
import { loadConfig } from './config.js';
import type { IngestDatabase } from './db.js';
import { ingestGrpcHandlers } from './handlers/grpc.js';
import { ingestMetrics } from './metrics.js';
import { ChunkResultsRepository } from './repositories/chunk-results.repository.js';
import { ChunkStream } from './repositories/chunk-stream.js';
import { EpochAllocator } from './repositories/epochs.js';
import { ImportsRepository } from './repositories/imports.repository.js';
import { RejectionsRepository } from './repositories/rejections.repository.js';
import { Completion } from './services/completion.js';
import { ImportCommands } from './services/import-commands.js';
import { ImportEvents } from './services/import-events.js';
import { Lifecycle } from './services/lifecycle.js';
import { RunningImports } from './services/running.js';
import { SplitQueue } from './services/split-queue.js';

const NAME = 'ingest';
/** Longest valid row: 255 + 1,000 + 20,000 characters of up to 4 bytes, plus an active flag. */
const MAX_RECORD_BYTES = 128 * 1024;

runMain(NAME, {
  migrate: migrateCommand(NAME, new URL('./migrations', import.meta.url)),
  serve: async () => {
    const config = loadConfig();
    const shell = createServiceShell(NAME, config, ['importer.v1.IngestService']);
    const logger = shell.logger;
    const db = createDb<IngestDatabase>({
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      applicationName: NAME,
    });
    const store = new ObjectStore({
      endpoint: config.S3_ENDPOINT,
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
      bucket: config.S3_BUCKET,
      region: config.S3_REGION,
    });
    await store.ensureBucket();
    const nc = await connectNats(config.NATS_URL, NAME, logger);
    await provisionJetStream(nc, { prefix: config.NATS_PREFIX });

    // This process's name on the leases it holds.
    const owner = `${NAME}-${randomUUID()}`;
    const imports = new ImportsRepository(db);
    const chunkResults = new ChunkResultsRepository(db);
    const rejections = new RejectionsRepository(db);
    const epochs = new EpochAllocator(config.CATALOG_GRPC_URL);
    const publisher = new Publisher(nc, config.NATS_PREFIX);
    const events = new ImportEvents(publisher);
    const running = new RunningImports();
    const metrics = ingestMetrics(shell.metrics.registry);
    const commands = new ImportCommands({
      imports,
      rejections,
      store,
      epochs,
      events,
      chunks: new ChunkStream(nc, config.NATS_PREFIX),
      running,
      logger,
      metrics,
      // The queue is built below; an upload can only finish once the service runs.
      onQueued: () => queue.kick(),
      owner,
      maxUploadBytes: config.MAX_UPLOAD_BYTES,
      leaseMs: config.SPLIT_LEASE_MS,
    });
    const completion = new Completion({ imports, chunkResults, commands, logger });
    const lifecycle = new Lifecycle({
      imports,
      chunkResults,
      completion,
      commands,
      running,
      logger,
    });
    const queue = new SplitQueue({
      imports,
      rejections,
      store,
      publisher,
      events,
      commands,
      completion,
      running,
      logger,
      metrics,
      owner,
      leaseMs: config.SPLIT_LEASE_MS,
      pollMs: config.SPLIT_POLL_MS,
      maxAttempts: 5,
      split: {
        maxChunkRows: config.CHUNK_MAX_ROWS,
        maxChunkBytes: config.CHUNK_MAX_BYTES,
        maxInFlight: config.SPLIT_MAX_IN_FLIGHT,
        maxRecordBytes: MAX_RECORD_BYTES,
      },
    });

    shell.grpc.addService(IngestServiceService, ingestGrpcHandlers(commands, logger));
    const consumer = await runEventConsumer({
      nc,
      prefix: config.NATS_PREFIX,
      spec: CONSUMERS.ingestLifecycle,
      logger,
      concurrency: 4,
      handlers: {
        'import.chunk_applied': (e) => lifecycle.chunkApplied(e),
        'import.split_finished': (e) => lifecycle.splitFinished(e),
        'import.failed': (e) => lifecycle.failed(e),
      },
    });
    queue.start();

    shell.readiness.postgres = () => pingDb(db);
    shell.readiness.nats = () => pingNats(nc);
    shell.readiness.objectStore = () => store.ping();
    shell.onShutdown.push(
      () => queue.stop(),
      () => consumer.stop(),
      () => nc.drain(),
      async () => epochs.close(),
      () => db.destroy(),
    );
    await shell.start();
  },
});
