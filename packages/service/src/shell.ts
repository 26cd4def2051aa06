import type { Server as GrpcServer } from '@grpc/grpc-js';
import { ConfigError } from '@pi/config';
import { createLogger, type Logger } from '@pi/logger';
import type { Express } from 'express';
import { addHealthService, createGrpcServer, type HealthImplementation } from './grpc.js';
import { createHttpApp, errorHandler, type ReadinessChecks } from './http.js';
import { createMetrics, type Metrics } from './metrics.js';
import { startService, type StartedService } from './run.js';

export interface ShellConfig {
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  HTTP_HOST: string;
  SHUTDOWN_TIMEOUT_MS: number;
  httpPort: number;
  grpcPort: number;
}

/** The parts every service has: logs, metrics, an HTTP app, a gRPC server with health. */
export interface ServiceShell {
  name: string;
  logger: Logger;
  metrics: Metrics;
  app: Express;
  grpc: GrpcServer;
  health: HealthImplementation;
  readiness: ReadinessChecks;
  /** Added to in wiring order; run in that order on shutdown. */
  onShutdown: (() => Promise<unknown>)[];
  start(): Promise<StartedService>;
}

export function createServiceShell(
  name: string,
  config: ShellConfig,
  grpcServiceNames: string[],
): ServiceShell {
  const logger = createLogger(name, config.LOG_LEVEL);
  const metrics = createMetrics(name);
  const shutdownState = { shuttingDown: false };
  const readiness: ReadinessChecks = {};
  const app = createHttpApp({
    metrics,
    readiness,
    isShuttingDown: () => shutdownState.shuttingDown,
  });
  const grpc = createGrpcServer();
  const health = addHealthService(grpc, [name, ...grpcServiceNames]);
  const onShutdown: (() => Promise<unknown>)[] = [];
  return {
    name,
    logger,
    metrics,
    app,
    grpc,
    health,
    readiness,
    onShutdown,
    start: () => {
      app.use(errorHandler(logger));
      return startService({
        name,
        logger,
        http: { app, host: config.HTTP_HOST, port: config.httpPort },
        grpc: { server: grpc, health, host: config.HTTP_HOST, port: config.grpcPort },
        readiness,
        onShutdown,
        shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
        shutdownState,
      });
    },
  };
}

/**
 * Entry point of a service process: runs `commands[argv[2] ?? 'serve']`, prints configuration
 * errors plainly, and exits non-zero on failure.
 */
export function runMain(
  name: string,
  commands: Record<string, () => Promise<void | 'exit'>>,
): void {
  const command = process.argv[2] ?? 'serve';
  const run = commands[command];
  if (!run) {
    process.stderr.write(
      `${name}: unknown command "${command}"; use one of: ${Object.keys(commands).join(', ')}\n`,
    );
    process.exit(2);
  }
  run().then(
    (result) => {
      if (result === 'exit') process.exit(0);
    },
    (err: unknown) => {
      const message =
        err instanceof ConfigError ? err.message : ((err as Error)?.stack ?? String(err));
      process.stderr.write(
        `${JSON.stringify({ level: 'fatal', service: name, msg: `${name} failed to start`, err: { message } })}\n`,
      );
      process.exit(1);
    },
  );
}
