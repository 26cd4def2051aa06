import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { CatalogServiceClient } from '@pi/proto';
import { freePort, serviceEntry, waitFor } from '@pi/infra';
import type { NatsConnection } from '@pi/messaging';
import { call, clientArgs } from '@pi/service';
import { createTestEnv, type TestEnv } from '@pi/testing';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectDb, connectTestNats, readEvents } from './support.js';

type Fault = 'none' | 'exit-before-publish' | 'exit-after-publish';

/**
 * The outbox's promise: a product write committed just before the process dies still has its event
 * published — once — by the next process. The crash points are the relay's test switch
 * (OUTBOX_TEST_FAULT), which exits the process at that spot exactly as a kill would.
 */
describe('products: transactional outbox across a crash', () => {
  let testEnv: TestEnv;
  let nc: NatsConnection;
  let db: pg.Client;
  let catalog: ChildProcess | undefined;
  let client: CatalogServiceClient | undefined;

  /** One catalog process on this test's database and prefix. */
  const startCatalog = async (fault: Fault) => {
    const [http, grpc] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [serviceEntry('catalog')], {
      env: {
        ...process.env,
        ...testEnv.env,
        HTTP_PORT: String(http),
        GRPC_PORT: String(grpc),
        OUTBOX_TEST_FAULT: fault,
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    catalog = child;
    await waitFor(
      'catalog to be ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`catalog exited with ${child.exitCode}`);
        const res = await fetch(`http://127.0.0.1:${http}/readyz`).catch(() => undefined);
        return res?.status === 200;
      },
      30_000,
    );
    client?.close();
    client = new CatalogServiceClient(...clientArgs(`127.0.0.1:${grpc}`));
    return { child, client };
  };

  const stopCatalog = async () => {
    if (catalog && catalog.exitCode === null && catalog.signalCode === null) {
      catalog.kill('SIGTERM');
      await once(catalog, 'exit');
    }
  };

  const eventsFor = async (sku: string) =>
    (await readEvents(nc, testEnv.prefix, 'product.created')).filter(
      (e) => e.payload?.$case === 'productCreated' && e.payload.value.product?.sku === sku,
    );

  const outboxRow = async (sku: string) => {
    const { rows } = await db.query<{ published: boolean }>(
      `select published_at is not null as published from outbox
       where event_type = 'product.created' and envelope like '%' || $1::bytea || '%'`,
      [Buffer.from(sku)],
    );
    return rows;
  };

  beforeAll(async () => {
    testEnv = await createTestEnv();
    nc = await connectTestNats(testEnv.env.NATS_URL!);
    db = await connectDb(testEnv.databaseUrl);
  });

  afterEach(stopCatalog);

  afterAll(async () => {
    client?.close();
    await db?.end();
    await nc?.close();
    await testEnv?.cleanup();
  });

  it.each([
    ['after the commit, before publishing', 'exit-before-publish', false],
    ['after publishing, before marking the row published', 'exit-after-publish', true],
  ] as const)(
    'publishes exactly once when the process dies %s',
    async (_when, fault, publishedBeforeCrash) => {
      const sku = `crash-${fault}`;
      const first = await startCatalog(fault);
      const exited = once(first.child, 'exit');
      // The process may die before it answers; the write committed either way.
      await call(first.client, 'createProduct', { sku, name: 'survives', description: '' }).catch(
        () => undefined,
      );
      const [code] = await exited;
      expect(code).toBe(86);
      const { rows } = await db.query('select sku from products where sku = $1', [sku]);
      expect(rows).toHaveLength(1);
      expect(await outboxRow(sku)).toEqual([{ published: false }]);
      expect(await eventsFor(sku)).toHaveLength(publishedBeforeCrash ? 1 : 0);

      await startCatalog('none');
      await waitFor(
        'the outbox row to be published',
        async () => (await outboxRow(sku)).every((r) => r.published),
        15_000,
      );
      const events = await eventsFor(sku);
      expect(events).toHaveLength(1);
      expect(events[0]!.payload).toMatchObject({ value: { product: { sku, name: 'survives' } } });
    },
  );

  it('publishes nothing for a write that rolled back', async () => {
    const { client: c } = await startCatalog('none');
    await call(c, 'createProduct', { sku: 'rb-1', name: 'first', description: '' });
    await expect(
      call(c, 'createProduct', { sku: 'RB-1', name: 'second', description: '' }),
    ).rejects.toMatchObject({ code: 'conflict' });
    const { rows } = await db.query(
      "select count(*)::int as n from outbox where envelope like '%second%'",
    );
    expect(rows[0]).toEqual({ n: 0 });
  });
});
