import { commonShape, databaseShape, env, natsShape, parseEnv } from '@pi/config';

export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(
    {
      ...commonShape,
      ...natsShape,
      ...databaseShape,
      HTTP_PORT: env.port(8083),
      GRPC_PORT: env.port(50053),
    },
    source,
  );
  return { ...c, httpPort: c.HTTP_PORT, grpcPort: c.GRPC_PORT };
}
export type DispatcherConfig = ReturnType<typeof loadConfig>;
