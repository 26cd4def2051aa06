import type { Kysely } from '@pi/db';
import type { Logger } from '@pi/logger';
import type { NatsConnection } from '@pi/messaging';
import type { Registry } from 'prom-client';
import { rebuildProjection, runProjectionConsumer } from './consumer.js';
import { ProgressFeed } from './feed.js';
import { projectionMetrics } from './metrics.js';
import { ImportQueries } from './queries.js';
import { ProjectionRepository } from './repository.js';
import type { GatewayDatabase } from './tables.js';
import { ProjectionWriter } from './writer.js';

export type { GatewayDatabase } from './tables.js';

interface ProjectionDeps {
  db: Kysely<GatewayDatabase>;
  nc: NatsConnection;
  prefix: string;
  logger: Logger;
}

/**
 * The progress projection of this gateway process: its durable consumer folding import events
 * into PostgreSQL, and the queries (with live watches) the REST and gRPC handlers read.
 */
export async function startProjection(
  options: ProjectionDeps & { databaseUrl: string; registry: Registry },
) {
  const repo = new ProjectionRepository(options.db);
  const feed = new ProgressFeed(options.databaseUrl, options.logger);
  await feed.start();
  const consumer = await runProjectionConsumer({
    nc: options.nc,
    prefix: options.prefix,
    writer: new ProjectionWriter(repo),
    metrics: projectionMetrics(options.registry, () => feed.watcherCount()),
    logger: options.logger,
  });
  return {
    queries: new ImportQueries(repo, feed),
    /** Stops folding, then ends every live watch so SSE and gRPC streams finish. */
    async stop() {
      await consumer.stop();
      await feed.stop();
    },
  };
}

/** The `rebuild-projection` command: drop the projection and replay the events stream. */
export async function replayProjection(options: ProjectionDeps): Promise<number> {
  const repo = new ProjectionRepository(options.db);
  return rebuildProjection({ ...options, repo, writer: new ProjectionWriter(repo) });
}
