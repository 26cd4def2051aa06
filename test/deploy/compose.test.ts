import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  SERVICES,
  imageEnv,
  loopbackValues,
  onPath,
  parseDockerfile,
  readText,
  run,
  serviceConfig,
  stageChain,
} from './helpers.js';

interface ComposeService {
  image?: string;
  build?: { context: string; target: string; args: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  ports?: string[];
  healthcheck?: { test: string[] };
}

const compose = parse(readText('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const hasDockerCompose = onPath('docker-compose');

describe('docker-compose.yml', () => {
  it.skipIf(!hasDockerCompose)(
    `passes docker-compose config -q${hasDockerCompose ? '' : ' (skipped: no docker-compose on PATH; .ci/run installs it)'}`,
    () => {
      const r = run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    },
  );

  it('runs the backing services with health checks and persistent volumes', () => {
    for (const name of ['postgres', 'nats', 'minio']) {
      expect(services[name]?.healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(0);
    }
    expect(services.nats?.command).toEqual(expect.arrayContaining(['-js', '-sd', '/data']));
    expect(Object.keys(compose.volumes)).toEqual(
      expect.arrayContaining(['postgres-data', 'nats-data', 'minio-data']),
    );
    expect(services['minio-bucket']?.depends_on?.minio?.condition).toBe('service_healthy');
  });

  it.each(SERVICES)('migrates %s in a one-shot step before it starts', (name) => {
    const migrate = services[`migrate-${name}`];
    expect(migrate?.command).toEqual(['migrate']);
    expect(migrate?.image).toBe(services[name]?.image);
    expect(migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(services[name]?.depends_on?.[`migrate-${name}`]?.condition).toBe(
      'service_completed_successfully',
    );
  });

  it.each(SERVICES)('builds %s from its own Dockerfile target', (name) => {
    const stages = parseDockerfile(readText('Dockerfile'));
    const build = services[name]?.build;
    expect(build?.target).toBe(name);
    expect(build?.args.SERVICE).toBe(name);
    expect(stages.some((s) => s.name === name)).toBe(true);
  });

  it.each(SERVICES)("wires %s's environment so its own config accepts it", async (name) => {
    const chain = stageChain(parseDockerfile(readText('Dockerfile')), name);
    const env = { ...imageEnv(chain), SERVICE: name, ...services[name]?.environment };
    const config = (await serviceConfig(name))(env) as Record<string, unknown>;
    expect(loopbackValues(config), 'addresses left at their npm start defaults').toEqual([]);
    expect(config.NATS_URL).toBe('nats://nats:4222');
    if ('CATALOG_GRPC_URL' in config) expect(config.CATALOG_GRPC_URL).toBe('dns:///catalog:50060');
    if ('DATABASE_URL' in config) expect(config.DATABASE_URL).toMatch(/@postgres:5432\//);
    if ('S3_ENDPOINT' in config) expect(config.S3_ENDPOINT).toBe('http://minio:9000');
  });

  it('runs two catalog replicas behind one DNS name the gateway round-robins over', async () => {
    expect(services.catalog?.deploy?.replicas).toBe(2);
    const gateway = services.gateway!;
    const config = (await serviceConfig('gateway'))({ ...gateway.environment }) as Record<
      string,
      unknown
    >;
    expect(config.CATALOG_GRPC_URL).toBe('dns:///catalog:50060');
    expect(config.INGEST_GRPC_URL).toBe('ingest:50052');
    expect(config.WEBHOOKS_GRPC_URL).toBe('webhook-dispatcher:50053');
    expect(gateway.ports).toEqual(['8080:8080', '50051:50051']);
    for (const dep of ['catalog', 'ingest', 'webhook-dispatcher']) {
      expect(gateway.depends_on?.[dep]?.condition).toBe('service_healthy');
    }
  });
});
