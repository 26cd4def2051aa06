/**
 * What to do for each backing service. A URL from the environment always wins; otherwise a
 * local one is started (or, for NATS, one already on the default port is reused).
 */
export type PostgresPlan = { kind: 'url'; url: string } | { kind: 'embedded' };
export type NatsPlan =
  | { kind: 'url'; url: string }
  | { kind: 'reuse'; url: string }
  | { kind: 'spawn'; binary: string }
  | { kind: 'missing'; message: string };
export type S3Plan =
  { kind: 'url'; endpoint: string; accessKey: string; secretKey: string } | { kind: 'local' };

export interface ProvisioningPlan {
  postgres: PostgresPlan;
  nats: NatsPlan;
  s3: S3Plan;
}

export interface MachineFacts {
  /** Something answers on 127.0.0.1:4222. */
  natsListening: boolean;
  /** Path of a nats-server binary, if one was found. */
  natsBinary: string | null;
}

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export const NATS_MISSING_MESSAGE =
  'No NATS server: nothing listens on 127.0.0.1:4222 and no nats-server binary is on PATH.\n' +
  'Install one (Debian/Ubuntu: `sudo apt-get install nats-server`; macOS: `brew install nats-server`;\n' +
  'or download from https://github.com/nats-io/nats-server/releases), or set NATS_URL to a server\n' +
  'with JetStream enabled.';

export function planProvisioning(env: NodeJS.ProcessEnv, facts: MachineFacts): ProvisioningPlan {
  const postgres: PostgresPlan = env.DATABASE_URL
    ? { kind: 'url', url: env.DATABASE_URL }
    : { kind: 'embedded' };
  const nats: NatsPlan = env.NATS_URL
    ? { kind: 'url', url: env.NATS_URL }
    : facts.natsListening
      ? { kind: 'reuse', url: DEFAULT_NATS_URL }
      : facts.natsBinary
        ? { kind: 'spawn', binary: facts.natsBinary }
        : { kind: 'missing', message: NATS_MISSING_MESSAGE };
  const s3: S3Plan = env.S3_ENDPOINT
    ? {
        kind: 'url',
        endpoint: env.S3_ENDPOINT,
        accessKey: env.S3_ACCESS_KEY ?? 'minioadmin',
        secretKey: env.S3_SECRET_KEY ?? 'minioadmin',
      }
    : { kind: 'local' };
  return { postgres, nats, s3 };
}
