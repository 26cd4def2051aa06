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
    },
    source,
  );
  return { ...c, httpPort: c.HTTP_PORT, grpcPort: c.GRPC_PORT };
}
export type IngestConfig = ReturnType<typeof loadConfig>;
