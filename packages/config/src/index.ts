import { z } from 'zod';

export { z };

/** Thrown at boot when the environment is missing or malformed; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Parses the environment once against a zod shape; every problem is reported, not just the first. */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: issue.path.join('.') || '(environment)',
      message: env[String(issue.path[0])] === undefined ? 'is required' : issue.message,
    })),
  );
}

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

/** Building blocks for env shapes, so every service reads variables the same way. */
export const env = {
  port: (fallback: number) =>
    z.preprocess(
      emptyToUndefined,
      z.coerce
        .number({ message: 'must be a port number' })
        .int('must be a whole number')
        .min(0, 'must be between 0 and 65535')
        .max(65535, 'must be between 0 and 65535')
        .default(fallback),
    ),
  int: (fallback: number, min = 0) =>
    z.preprocess(
      emptyToUndefined,
      z.coerce
        .number({ message: 'must be a number' })
        .int('must be a whole number')
        .min(min, `must be at least ${min}`)
        .default(fallback),
    ),
  url: () => z.string().url('must be a URL, e.g. scheme://host:port'),
  optionalUrl: () =>
    z.preprocess(
      emptyToUndefined,
      z.string().url('must be a URL, e.g. scheme://host:port').optional(),
    ),
  string: (fallback: string) => z.preprocess(emptyToUndefined, z.string().min(1).default(fallback)),
  optionalString: () => z.preprocess(emptyToUndefined, z.string().optional()),
  bool: (fallback: boolean) =>
    z.preprocess(
      (v) => (v === '' || v === undefined ? undefined : String(v).toLowerCase()),
      z
        .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
        .transform((v) => v === 'true' || v === '1' || v === 'yes')
        .default(fallback),
    ),
  list: (fallback: string[] = []) =>
    z.preprocess(
      (v) =>
        v === undefined || v === ''
          ? fallback
          : String(v)
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
      z.array(z.string()),
    ),
  logLevel: () =>
    z.preprocess(
      emptyToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
};

/** Variables every service shares. */
export const commonShape = {
  LOG_LEVEL: env.logLevel(),
  HTTP_HOST: env.string('0.0.0.0'),
  SHUTDOWN_TIMEOUT_MS: env.int(10_000, 100),
};

export const natsShape = {
  NATS_URL: env.string('nats://127.0.0.1:4222'),
  /** Prefix of every stream, subject and consumer name: lets tests and tenants share one server. */
  NATS_PREFIX: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, 'must be lowercase letters, digits and _')
      .default('pi'),
  ),
};

export const databaseShape = {
  DATABASE_URL: env.url(),
  DATABASE_POOL_MAX: env.int(10, 1),
};

export const s3Shape = {
  S3_ENDPOINT: env.url(),
  S3_ACCESS_KEY: env.string('minioadmin'),
  S3_SECRET_KEY: env.string('minioadmin'),
  S3_BUCKET: env.string('product-imports'),
  S3_REGION: env.string('us-east-1'),
};
