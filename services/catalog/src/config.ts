import { commonShape, databaseShape, env, natsShape, parseEnv } from '@pi/config';

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
    },
    source,
  );
  return { ...c, httpPort: c.HTTP_PORT, grpcPort: c.GRPC_PORT };
}
export type CatalogConfig = ReturnType<typeof loadConfig>;
