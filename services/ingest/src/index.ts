import { createDb, pingDb, migrateCommand } from '@pi/db';
import { connectNats, pingNats, provisionJetStream } from '@pi/messaging';
import { createServiceShell, runMain } from '@pi/service';
import { ObjectStore } from '@pi/storage';
import { loadConfig } from './config.js';

const NAME = 'ingest';

runMain(NAME, {
  migrate: migrateCommand(NAME, new URL('./migrations', import.meta.url)),
  serve: async () => {
    const config = loadConfig();
    const shell = createServiceShell(NAME, config, ['importer.v1.IngestService']);
    const db = createDb<unknown>({
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
    const nc = await connectNats(config.NATS_URL, NAME, shell.logger);
    await provisionJetStream(nc, { prefix: config.NATS_PREFIX });

    shell.readiness.postgres = () => pingDb(db);
    shell.readiness.nats = () => pingNats(nc);
    shell.readiness.objectStore = () => store.ping();
    shell.onShutdown.push(
      () => nc.drain(),
      () => db.destroy(),
    );
    await shell.start();
  },
});
