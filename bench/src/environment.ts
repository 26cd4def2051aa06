import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import {
  dataRoot,
  ensureDatabase,
  provisionInfra,
  startStack,
  type Infra,
  type Stack,
} from '@pi/infra';
import { createLogger } from '@pi/logger';
import { connectNats, deleteJetStream, type NatsConnection } from '@pi/messaging';
import pg from 'pg';

/** What one bench suite runs against: its own database and NATS prefix on provisioned servers. */
export interface BenchEnv {
  infra: Infra;
  runId: string;
  prefix: string;
  databaseUrl: string;
  dataDir: string;
  nc: NatsConnection;
  /** Starts the whole system on this suite's database and prefix. */
  startStack(options: { catalogReplicas: number; env?: Record<string, string> }): Promise<Stack>;
  /** Stops the stack, drops the database and streams, stops what was provisioned. */
  close(): Promise<void>;
}

/**
 * Provisions like `npm start` (BENCH_DATABASE_URL / BENCH_NATS_URL point at existing servers
 * instead), with a fresh database and prefix per run so figures never depend on leftovers.
 */
export async function openBenchEnv(suite: string, log: (line: string) => void): Promise<BenchEnv> {
  const dataDir = path.join(dataRoot(), 'bench', suite);
  const infra = await provisionInfra({
    env: {
      PATH: process.env.PATH,
      ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
      ...(process.env.BENCH_NATS_URL ? { NATS_URL: process.env.BENCH_NATS_URL } : {}),
    },
    dataDir,
    databaseName: 'bench',
    bucket: `bench-${suite}`,
    log,
  });
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `bench${runId}`;
  const database = `bench_${suite}_${runId}`;
  const databaseUrl = await ensureDatabase(infra.databaseUrl, database);
  const nc = await connectNats(infra.natsUrl, `bench-${suite}`, createLogger('bench', 'silent'));
  let stack: Stack | undefined;
  return {
    infra,
    runId,
    prefix,
    databaseUrl,
    dataDir,
    nc,
    async startStack({ catalogReplicas, env }) {
      stack = await startStack({
        env: {
          ...infra.env,
          DATABASE_URL: databaseUrl,
          NATS_PREFIX: prefix,
          LOG_LEVEL: 'warn',
          ...env,
        },
        catalogReplicas,
        logDir: path.join(dataDir, 'logs', runId),
      });
      return stack;
    },
    async close() {
      await stack?.stop();
      await deleteJetStream(nc, prefix).catch(() => undefined);
      await nc.close();
      const admin = new pg.Client({ connectionString: infra.databaseUrl });
      await admin.connect();
      await admin
        .query(`drop database if exists "${database}" with (force)`)
        .finally(() => admin.end());
      await infra.stop();
      rmSync(path.join(dataDir, 'logs', runId), { recursive: true, force: true });
    },
  };
}
