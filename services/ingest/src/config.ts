import { commonShape, databaseShape, env, natsShape, parseEnv, s3Shape } from '@pi/config';

export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(
    {
      ...commonShape,
      ...natsShape,
      ...databaseShape,
      ...s3Shape,
      HTTP_PORT: env.port(8081),
      GRPC_PORT: env.port(50052),
      /** Catalog's gRPC address(es): ingest takes each import's write epoch from it. */
      CATALOG_GRPC_URL: env.string('127.0.0.1:50060'),
      MAX_UPLOAD_BYTES: env.int(1024 ** 3, 1),
      /** Chunks are capped by rows and by encoded bytes (NATS max_payload is 1 MiB by default). */
      CHUNK_MAX_ROWS: env.int(5_000, 1),
      CHUNK_MAX_BYTES: env.int(512 * 1024, 1024),
      /** Chunk publishes awaiting JetStream's acknowledgement at once. */
      SPLIT_MAX_IN_FLIGHT: env.int(8, 1),
      /** How long a split or upload survives its replica going silent before another takes over. */
      SPLIT_LEASE_MS: env.int(15_000, 1_000),
      SPLIT_POLL_MS: env.int(1_000, 50),
    },
    source,
  );
  return { ...c, httpPort: c.HTTP_PORT, grpcPort: c.GRPC_PORT };
}
export type IngestConfig = ReturnType<typeof loadConfig>;
