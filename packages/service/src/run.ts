import type { Server as HttpServer } from 'node:http';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { bindGrpc, type HealthImplementation } from './grpc.js';
import { runChecks, type ReadinessChecks } from './http.js';

export interface StartServiceOptions {
  name: string;
  logger: Logger;
  http: { app: Express; host: string; port: number };
  grpc: { server: GrpcServer; health: HealthImplementation; host: string; port: number };
  readiness: ReadinessChecks;
  /** Run in order on SIGTERM/SIGINT, after the process stops accepting work. */
  onShutdown: (() => Promise<unknown>)[];
  shutdownTimeoutMs: number;
  /** Shared with the HTTP app's /readyz so it answers 503 while draining. */
  shutdownState: { shuttingDown: boolean };
}

export interface StartedService {
  httpPort: number;
  grpcPort: number;
  shutdown(reason: string): Promise<void>;
}

/** Listens, keeps the gRPC health status in step with readiness, and shuts down gracefully. */
export async function startService(o: StartServiceOptions): Promise<StartedService> {
  const httpServer = await listen(o.http.app, o.http.host, o.http.port);
  const httpPort = (httpServer.address() as { port: number }).port;
  const grpcPort = await bindGrpc(o.grpc.server, o.grpc.host, o.grpc.port);

  const refreshHealth = async () => {
    const { ok } = await runChecks(o.readiness);
    const s = ok && !o.shutdownState.shuttingDown ? 'SERVING' : 'NOT_SERVING';
    o.grpc.health.setStatus('', s);
    o.grpc.health.setStatus(o.name, s);
  };
  await refreshHealth();
  const healthTimer = setInterval(() => void refreshHealth(), 2000);
  healthTimer.unref();

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason: string) =>
    (shuttingDown ??= (async () => {
      o.logger.info({ reason }, 'shutting down');
      o.shutdownState.shuttingDown = true;
      clearInterval(healthTimer);
      o.grpc.health.setStatus('', 'NOT_SERVING');
      o.grpc.health.setStatus(o.name, 'NOT_SERVING');
      const force = setTimeout(() => {
        o.logger.error({ timeoutMs: o.shutdownTimeoutMs }, 'graceful shutdown timed out; exiting');
        process.exit(1);
      }, o.shutdownTimeoutMs);
      force.unref();
      const closeHttp = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      for (const hook of o.onShutdown) {
        await hook().catch((err) => o.logger.error({ err }, 'shutdown step failed'));
      }
      await new Promise<void>((resolve) => o.grpc.server.tryShutdown(() => resolve()));
      httpServer.closeAllConnections();
      await closeHttp;
      o.logger.info('stopped');
    })());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown(signal).then(() => process.exit(0));
    });
  }
  o.logger.info({ httpPort, grpcPort }, 'listening');
  return { httpPort, grpcPort, shutdown };
}

function listen(app: Express, host: string, port: number): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
    server.once('error', (err) =>
      reject(new Error(`Cannot listen for HTTP on ${host}:${port}: ${err.message}`)),
    );
  });
}
