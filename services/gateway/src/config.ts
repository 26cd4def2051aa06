import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { commonShape, databaseShape, env, natsShape, parseEnv, z } from '@pi/config';

/** Where `npm run build` puts the dashboard: <repo>/web/build. */
const defaultWebDir = path.resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  '../../../web/build',
);

export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(
    {
      ...commonShape,
      ...databaseShape,
      ...natsShape,
      PORT: env.port(8080),
      GRPC_PORT: env.port(50051),
      INGEST_GRPC_URL: env.string('127.0.0.1:50052'),
      CATALOG_GRPC_URL: env.string('127.0.0.1:50060'),
      WEBHOOKS_GRPC_URL: env.string('127.0.0.1:50053'),
      /** Largest accepted CSV upload (ingest enforces the same variable). */
      MAX_UPLOAD_BYTES: env.int(1024 ** 3, 1),
      WEB_DIR: z.preprocess((v) => (v === '' ? undefined : v), z.string().default(defaultWebDir)),
    },
    source,
  );
  return { ...c, httpPort: c.PORT, grpcPort: c.GRPC_PORT };
}
export type GatewayConfig = ReturnType<typeof loadConfig>;
