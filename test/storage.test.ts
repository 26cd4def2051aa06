import { createHash, randomBytes } from 'node:crypto';
import { ObjectStore, ObjectTooLargeError } from '@pi/storage';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const MiB = 1024 * 1024;

/** `total` bytes in pieces of 1 MiB (deterministic per seed byte); throws after `failAfter`. */
async function* pieces(total: number, options: { seed: number; failAfter?: number }) {
  const block = Buffer.alloc(MiB, options.seed);
  for (let sent = 0; sent < total; sent += MiB) {
    if (options.failAfter !== undefined && sent >= options.failAfter) {
      throw new Error('the client went away');
    }
    yield block.subarray(0, Math.min(MiB, total - sent));
  }
}

const sha256 = async (data: AsyncIterable<Buffer>) => {
  const hash = createHash('sha256');
  for await (const piece of data) hash.update(piece);
  return hash.digest('hex');
};

/** The object store's streaming upload against the test run's real S3-compatible server. */
describe('storage: streaming multipart uploads', () => {
  let store: ObjectStore;
  const key = (name: string) => `storage-test/${randomBytes(4).toString('hex')}-${name}`;

  beforeAll(async () => {
    const { s3 } = inject('infra');
    store = new ObjectStore({ ...s3, region: 'us-east-1' });
    await store.ensureBucket();
  });

  it('stores a stream of several parts byte for byte', async () => {
    const name = key('big.csv');
    const total = 21 * MiB + 12_345; // three parts, the last one short
    const { size } = await store.putStream(name, pieces(total, { seed: 7 }));
    expect(size).toBe(total);
    expect(await store.size(name)).toBe(total);
    expect(await sha256(await store.getStream(name))).toBe(
      await sha256(pieces(total, { seed: 7 })),
    );
    await store.remove(name);
  });

  it('stores a small stream in one request', async () => {
    const name = key('small.csv');
    expect(await store.putStream(name, pieces(1000, { seed: 1 }))).toEqual({ size: 1000 });
    expect(await store.size(name)).toBe(1000);
    await store.remove(name);
  });

  it('refuses a stream over the limit and keeps nothing of it', async () => {
    const name = key('too-big.csv');
    await expect(
      store.putStream(name, pieces(30 * MiB, { seed: 2 }), { maxBytes: 20 * MiB }),
    ).rejects.toBeInstanceOf(ObjectTooLargeError);
    await expect(store.size(name)).rejects.toThrow();
  });

  it('keeps nothing of a stream that breaks off after some parts', async () => {
    const name = key('broken.csv');
    await expect(
      store.putStream(name, pieces(40 * MiB, { seed: 3, failAfter: 19 * MiB })),
    ).rejects.toThrow('the client went away');
    await expect(store.size(name)).rejects.toThrow();
  });
});
