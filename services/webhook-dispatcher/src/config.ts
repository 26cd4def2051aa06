import { commonShape, databaseShape, env, natsShape, parseEnv, z } from '@pi/config';
import { parseHostRule } from './domain/address-policy.js';
import { parseDuration, parseSchedule } from './domain/duration.js';

/** A zod field parsed by `parse`, whose thrown message becomes the variable's error. */
const parsed = <T>(fallback: string, parse: (text: string) => T) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? fallback : v),
    z.string().transform((text, ctx) => {
      try {
        return parse(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  );

export function loadConfig(source: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(
    {
      ...commonShape,
      ...natsShape,
      ...databaseShape,
      HTTP_PORT: env.port(8083),
      GRPC_PORT: env.port(50053),
      WEBHOOK_RETRY_SCHEDULE: parsed('0,5s,5m,30m,2h,5h,10h,10h', parseSchedule),
      WEBHOOK_TIMEOUT: parsed('10s', parseDuration),
      WEBHOOK_LOG_RETENTION: parsed('30d', parseDuration),
      WEBHOOK_ALLOW_PRIVATE: env.bool(false),
      WEBHOOK_ALLOWED_HOSTS: parsed('', (text) =>
        text
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map(parseHostRule),
      ),
      WEBHOOK_CONCURRENCY: env.int(64, 1),
      WEBHOOK_ENDPOINT_CONCURRENCY: env.int(8, 1),
      WEBHOOK_POLL_INTERVAL: parsed('1s', parseDuration),
    },
    source,
  );
  return {
    ...c,
    httpPort: c.HTTP_PORT,
    grpcPort: c.GRPC_PORT,
    addressPolicy: {
      allowPrivate: c.WEBHOOK_ALLOW_PRIVATE,
      allowedHosts: c.WEBHOOK_ALLOWED_HOSTS,
    },
  };
}
export type DispatcherConfig = ReturnType<typeof loadConfig>;
