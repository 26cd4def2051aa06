import { commonShape, databaseShape, env, natsShape, parseEnv, z } from '@pi/config';

export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(
    {
      ...commonShape,
      ...natsShape,
      ...databaseShape,
      HTTP_PORT: env.port(8082),
      GRPC_PORT: env.port(50060),
      /** Chunks one worker process applies at once. */
      WORKER_CONCURRENCY: env.int(2, 1),
      /** Fallback poll of the outbox relay when no NOTIFY arrives. */
      OUTBOX_POLL_MS: env.int(1000, 10),
      /** Test-only crash point of the outbox relay (see outbox-relay.ts). */
      OUTBOX_TEST_FAULT: z.preprocess(
        (v) => (v === '' ? undefined : v),
        z.enum(['none', 'exit-before-publish', 'exit-after-publish']).default('none'),
      ),
      /** The search indexer waits for this long without product writes before it runs. */
      SEARCH_INDEX_QUIET_MS: env.int(2000, 0),
      SEARCH_INDEX_BATCH: env.int(5000, 1),
      /** A backlog this large is folded by rebuilding the search table instead of batch by batch. */
      SEARCH_INDEX_REBUILD_AT: env.int(50_000, 1),
    },
    source,
  );
  return { ...c, httpPort: c.HTTP_PORT, grpcPort: c.GRPC_PORT };
}
export type CatalogConfig = ReturnType<typeof loadConfig>;
