import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { dataRoot, startStack, type Stack } from '@pi/infra';
import { connectNats, deleteJetStream } from '@pi/messaging';
import { createLogger } from '@pi/logger';
import { inject } from 'vitest';
import type { TestInfra } from './context.js';
import { cloneTemplate, dropDatabase } from './database.js';

export type { TestInfra } from './context.js';
export { cloneTemplate, dropDatabase } from './database.js';

export const testInfra = (): TestInfra => inject('infra');

/** A stream/subject prefix no other test (or run) uses. */
export const uniquePrefix = () => `t${randomBytes(5).toString('hex')}`;

export interface TestEnv {
  /** Environment pointing a service at this test's own database, prefix and bucket. */
  env: Record<string, string>;
  databaseUrl: string;
  prefix: string;
  /** Drops the database and the prefix's streams. */
  cleanup(): Promise<void>;
}

/** A database cloned from the migrated template plus a unique NATS prefix. */
export async function createTestEnv(): Promise<TestEnv> {
  const infra = testInfra();
  const db = await cloneTemplate(infra.adminUrl, infra.templateDatabase);
  const prefix = uniquePrefix();
  return {
    databaseUrl: db.url,
    prefix,
    env: {
      DATABASE_URL: db.url,
      NATS_URL: infra.natsUrl,
      NATS_PREFIX: prefix,
      S3_ENDPOINT: infra.s3.endpoint,
      S3_ACCESS_KEY: infra.s3.accessKey,
      S3_SECRET_KEY: infra.s3.secretKey,
      S3_BUCKET: infra.s3.bucket,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '8000',
    },
    async cleanup() {
      const nc = await connectNats(infra.natsUrl, 'test-cleanup', createLogger('test', 'silent'));
      await deleteJetStream(nc, prefix).finally(() => nc.close());
      await dropDatabase(infra.adminUrl, db.name);
    },
  };
}

export interface TestStack extends Stack {
  testEnv: TestEnv;
  logDir: string;
}

/** The whole system as processes, on this test's own database and prefix. */
export async function startTestStack(
  options: { catalogReplicas?: number; env?: Record<string, string> } = {},
): Promise<TestStack> {
  try {
    return await startTestStackOnce(options);
  } catch (err) {
    // Ports come from freePort() and another test file may take one before a service binds it.
    // Start once more on fresh ports, but say what failed so a real boot bug stays visible.
    process.stderr.write(`[test stack] start failed, retrying once: ${(err as Error).message}\n`);
    return startTestStackOnce(options);
  }
}

async function startTestStackOnce(options: {
  catalogReplicas?: number;
  env?: Record<string, string>;
}): Promise<TestStack> {
  const testEnv = await createTestEnv();
  // Outside the run's folder (removed at teardown), so a failed start leaves its logs to read.
  const logDir = path.join(dataRoot(), 'test-logs', testEnv.prefix);
  let stack: Stack;
  try {
    stack = await startStack({
      env: { ...testEnv.env, ...options.env },
      catalogReplicas: options.catalogReplicas ?? 2,
      logDir,
    });
  } catch (err) {
    process.stderr.write(`[test stack] logs of the failed start: ${logDir}\n${tailOfLogs(logDir)}`);
    await testEnv.cleanup().catch(() => undefined);
    throw err;
  }
  return {
    ...stack,
    testEnv,
    logDir,
    stop: async () => {
      await stack.stop();
      await testEnv.cleanup();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/** The last lines of every log in a folder, for a failure message. */
function tailOfLogs(dir: string): string {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  } catch {
    return '';
  }
  return files
    .map((f) => {
      const lines = readFileSync(path.join(dir, f), 'utf8').trimEnd().split('\n').slice(-5);
      return `--- ${f}\n${lines.join('\n')}\n`;
    })
    .join('');
}
