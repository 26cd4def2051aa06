#!/usr/bin/env node
/**
 * `npm start`: provisions PostgreSQL, NATS and S3 unless their URLs are set, migrates, starts every
 * service and prints the dashboard URL. Ctrl-C stops everything it started.
 */
import path from 'node:path';
import { dataRoot } from '../paths.js';
import { provisionInfra } from '../provision.js';
import { startStack, type Stack } from '../stack.js';

const env = process.env;
const dataDir = dataRoot(env);
const logDir = path.join(dataDir, 'logs');
const say = (line: string) => process.stdout.write(`${line}\n`);
/** `npm start` is for trying the product locally, where webhook receivers run on localhost. */
const DEV_WEBHOOK_ALLOWED_HOSTS = 'localhost,127.0.0.0/8,::1';

/** Echo warnings and errors of the services; everything else goes to the log files. */
function echoProblems(service: string, line: string) {
  try {
    const entry = JSON.parse(line) as { level?: string; msg?: string; err?: { message?: string } };
    if (entry.level === 'warn' || entry.level === 'error' || entry.level === 'fatal') {
      say(
        `[${service}] ${entry.level}: ${entry.msg ?? ''}${entry.err?.message ? ` — ${entry.err.message}` : ''}`,
      );
    }
  } catch {
    say(`[${service}] ${line}`);
  }
}

async function main() {
  const started = Date.now();
  const replicas = Number(env.CATALOG_REPLICAS ?? 2);
  if (!Number.isInteger(replicas) || replicas < 1)
    throw new Error('CATALOG_REPLICAS must be a whole number ≥ 1');

  const infra = await provisionInfra({
    env,
    dataDir,
    preferredPorts: { postgres: 54329, nats: 4222, s3: 9000 },
    log: say,
  });
  let stack: Stack | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping…');
    await stack?.stop();
    await infra.stop();
    say('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  say('Starting services…');
  try {
    stack = await startStack({
      env: {
        ...infra.env,
        ...(env.NATS_PREFIX ? { NATS_PREFIX: env.NATS_PREFIX } : {}),
        // Lets a local try-out send webhooks to a receiver on this machine (README, Webhooks).
        WEBHOOK_ALLOWED_HOSTS: env.WEBHOOK_ALLOWED_HOSTS ?? DEV_WEBHOOK_ALLOWED_HOSTS,
      },
      catalogReplicas: replicas,
      logDir,
      ports: {
        gatewayHttp: Number(env.PORT ?? 8080),
        gatewayGrpc: Number(env.GRPC_PORT ?? 50051),
        base: 18000,
      },
      onLog: echoProblems,
    });
  } catch (err) {
    process.stderr.write(`\n${(err as Error).message}\n`);
    await stopAll(1);
    return;
  }
  for (const p of stack.processes) {
    void p.exited.then((code) => {
      if (!stopping) {
        say(
          `${p.name} exited unexpectedly (code ${code}); see ${path.join(logDir, `${p.name}.log`)}`,
        );
        void stopAll(1);
      }
    });
  }
  say('');
  say(`Product Importer is ready (${((Date.now() - started) / 1000).toFixed(1)} s).`);
  say(`  Dashboard:   ${stack.gatewayUrl}/`);
  say(`  REST API:    ${stack.gatewayUrl}/api`);
  say(`  gRPC API:    ${stack.gatewayGrpc} (server reflection on)`);
  say(`  Logs:        ${logDir}`);
  say('Press Ctrl-C to stop.');
}

main().catch((err) => {
  process.stderr.write(`\n${(err as Error).message}\n`);
  process.exit(1);
});
