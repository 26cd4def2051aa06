import type { StartedTestContainer } from 'testcontainers';

export interface ContainerInfra {
  databaseUrl: string;
  natsUrl: string;
  s3: { endpoint: string; accessKey: string; secretKey: string };
  stop(): Promise<void>;
}

/** PostgreSQL, NATS with JetStream and MinIO in containers (only when a Docker engine is reachable). */
export async function startContainers(bucket: string): Promise<ContainerInfra> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const started: StartedTestContainer[] = [];
  try {
    const [postgres, nats, minio] = await Promise.all([
      new GenericContainer('postgres:16-alpine')
        .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start(),
      new GenericContainer('nats:2.10-alpine').withCommand(['-js']).withExposedPorts(4222).start(),
      new GenericContainer('minio/minio:latest')
        .withCommand(['server', '/data'])
        .withExposedPorts(9000)
        .withWaitStrategy(Wait.forHttp('/minio/health/ready', 9000))
        .start(),
    ]);
    started.push(postgres, nats, minio);
    void bucket;
    return {
      databaseUrl: `postgres://postgres:postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
      natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`,
      s3: {
        endpoint: `http://${minio.getHost()}:${minio.getMappedPort(9000)}`,
        accessKey: 'minioadmin',
        secretKey: 'minioadmin',
      },
      stop: async () => {
        await Promise.all(started.map((c) => c.stop()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((c) => c.stop().catch(() => undefined)));
    throw err;
  }
}
