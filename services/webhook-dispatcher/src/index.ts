import {
  CONSUMERS,
  connectNats,
  pingNats,
  provisionJetStream,
  runEventConsumer,
} from '@pi/messaging';
import { createDb, pingDb, migrateCommand } from '@pi/db';
import { WebhookServiceService } from '@pi/proto';
import { createServiceShell, runMain } from '@pi/service';
import { loadConfig } from './config.js';
import type { DispatcherDatabase } from './db.js';
import { WebhookSender } from './delivery/sender.js';
import { webhookGrpcHandlers } from './handlers/grpc.js';
import { createDispatcherMetrics } from './metrics.js';
import { createRepositories } from './repositories/index.js';
import { DeliveryAttempter } from './services/attempts.js';
import { fanOutHandlers } from './services/fanout.js';
import { startLogPruner } from './services/pruner.js';
import { DeliveryScheduler } from './services/scheduler.js';
import { WebhooksService } from './services/webhooks.service.js';

const NAME = 'webhook-dispatcher';

runMain(NAME, {
  migrate: migrateCommand(NAME, new URL('./migrations', import.meta.url)),
  serve: async () => {
    const config = loadConfig();
    const shell = createServiceShell(NAME, config, ['importer.v1.WebhookService']);
    const db = createDb<DispatcherDatabase>({
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      applicationName: NAME,
    });
    const nc = await connectNats(config.NATS_URL, NAME, shell.logger);
    await provisionJetStream(nc, { prefix: config.NATS_PREFIX });

    const repos = createRepositories(db);
    const metrics = createDispatcherMetrics(shell.metrics.registry, () =>
      repos.deliveries.countPending(),
    );
    const sender = new WebhookSender({
      policy: config.addressPolicy,
      timeoutMs: config.WEBHOOK_TIMEOUT,
    });
    const attempter = new DeliveryAttempter({
      deliveries: repos.deliveries,
      sender,
      schedule: config.WEBHOOK_RETRY_SCHEDULE,
      metrics,
    });
    const scheduler = new DeliveryScheduler({
      deliveries: repos.deliveries,
      send: (d) => attempter.attempt(d, 'scheduled'),
      logger: shell.logger,
      concurrency: config.WEBHOOK_CONCURRENCY,
      perEndpoint: config.WEBHOOK_ENDPOINT_CONCURRENCY,
      pollMs: config.WEBHOOK_POLL_INTERVAL,
      // Longer than any request can take, so a live process never has its claim taken.
      leaseMs: config.WEBHOOK_TIMEOUT + 30_000,
    });
    const service = new WebhooksService({
      repos,
      sender,
      attempter,
      policy: config.addressPolicy,
    });
    shell.grpc.addService(WebhookServiceService, webhookGrpcHandlers(service, shell.logger));

    const spec = CONSUMERS.webhookDispatcher;
    const consumer = await runEventConsumer({
      nc,
      prefix: config.NATS_PREFIX,
      spec,
      logger: shell.logger,
      // Fan-out is one short INSERT per event. A few at once keep up with bursts and leave most of
      // the connection pool to sending, so deliveries start while a burst is still being fanned out.
      concurrency: 4,
      handlers: fanOutHandlers(repos.deliveries, spec.eventTypes, () => scheduler.wake()),
    });
    scheduler.start();
    const pruner = startLogPruner({
      deliveries: repos.deliveries,
      retentionMs: config.WEBHOOK_LOG_RETENTION,
      logger: shell.logger,
    });

    shell.readiness.postgres = () => pingDb(db);
    shell.readiness.nats = () => pingNats(nc);
    shell.onShutdown.push(
      () => consumer.stop(),
      async () => pruner.stop(),
      () => scheduler.stop(),
      async () => sender.close(),
      () => nc.drain(),
      () => db.destroy(),
    );
    await shell.start();
  },
});
