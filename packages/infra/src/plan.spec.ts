import { describe, expect, it } from 'vitest';
import { planProvisioning } from './plan.js';

const none = { natsListening: false, natsBinary: null };

describe('planProvisioning', () => {
  it('uses URLs from the environment when given', () => {
    const plan = planProvisioning(
      {
        DATABASE_URL: 'postgres://db/x',
        NATS_URL: 'nats://n:4222',
        S3_ENDPOINT: 'http://minio:9000',
      },
      { natsListening: true, natsBinary: '/usr/bin/nats-server' },
    );
    expect(plan.postgres).toEqual({ kind: 'url', url: 'postgres://db/x' });
    expect(plan.nats).toEqual({ kind: 'url', url: 'nats://n:4222' });
    expect(plan.s3).toMatchObject({
      kind: 'url',
      endpoint: 'http://minio:9000',
      accessKey: 'minioadmin',
    });
  });

  it('starts local PostgreSQL and S3 when no URL is configured', () => {
    const plan = planProvisioning({}, none);
    expect(plan.postgres).toEqual({ kind: 'embedded' });
    expect(plan.s3).toEqual({ kind: 'local' });
  });

  it('reuses a NATS server already listening before spawning one', () => {
    expect(
      planProvisioning({}, { natsListening: true, natsBinary: '/x/nats-server' }).nats,
    ).toEqual({
      kind: 'reuse',
      url: 'nats://127.0.0.1:4222',
    });
    expect(
      planProvisioning({}, { natsListening: false, natsBinary: '/x/nats-server' }).nats,
    ).toEqual({
      kind: 'spawn',
      binary: '/x/nats-server',
    });
  });

  it('explains how to get NATS when there is none', () => {
    const plan = planProvisioning({}, none);
    expect(plan.nats.kind).toBe('missing');
    expect(plan.nats.kind === 'missing' && plan.nats.message).toMatch(
      /apt-get install nats-server/,
    );
  });
});
