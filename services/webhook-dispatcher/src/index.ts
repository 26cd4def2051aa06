import { createDb, pingDb, migrateCommand } from '@pi/db';
import { connectNats, pingNats, provisionJetStream } from '@pi/messaging';
import { createServiceShell, runMain } from '@pi/service';
import { loadConfig } from './config.js';

const NAME = 'webhook-dispatcher';

runMain(NAME, {
  migrate: migrateCommand(NAME, new URL('./migrations', import.meta.url)),
  serve: async () => {
    const config = loadConfig();
    const shell = createServiceShell(NAME, config, ['importer.v1.WebhookService']);
    const db = createDb<unknown>({
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      applicationName: NAME,
    });
    const nc = await connectNats(config.NATS_URL, NAME, shell.logger);
    await provisionJetStream(nc, { prefix: config.NATS_PREFIX });

    shell.readiness.postgres = () => pingDb(db);
    shell.readiness.nats = () => pingNats(nc);
    shell.onShutdown.push(
      () => nc.drain(),
      () => db.destroy(),
    );
    await shell.start();
  },
});
