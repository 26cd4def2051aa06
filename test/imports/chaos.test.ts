import type { Kysely } from '@pi/db';
import { startTestStack, type TestStack } from '@pi/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ImportEventLog,
  productsWithPrefix,
  sequentialReference,
  startImport,
  testDb,
  toCsv,
  type RawRow,
} from './support.js';

/** `rows` rows with a case-different duplicate every 25 rows, so chunks overwrite each other. */
function file(prefix: string, rows: number) {
  const data: RawRow[] = Array.from({ length: rows }, (_, i) => [
    i % 25 === 24 ? `${prefix}-${i - 20}`.toUpperCase() : `${prefix}-${i}`,
    `name ${i}`,
    `"quoted", ${i}`,
    i % 3 === 0 ? 'no' : '',
  ]);
  return { header: ['sku', 'name', 'description', 'active'], rows: data };
}

/** Processes killed with SIGKILL mid-import: nothing is lost and nothing is counted twice. */
describe('import pipeline under crashes', () => {
  let stack: TestStack;
  let events: ImportEventLog;
  let db: Kysely<unknown>;

  beforeAll(async () => {
    stack = await startTestStack({
      catalogReplicas: 2,
      // Many small chunks keep the import running long enough to crash it; a short lease lets a
      // restarted ingest take its split back quickly.
      env: { CHUNK_MAX_ROWS: '20', SPLIT_LEASE_MS: '2000' },
    });
    events = await ImportEventLog.open(stack);
    db = testDb(stack);
  });

  afterAll(async () => {
    await events?.close();
    await db?.destroy();
    await stack?.stop();
  });

  const kill = async (name: string) => {
    const proc = stack.processes.find((p) => p.name === name && p.child.exitCode === null)!;
    await proc.stop('SIGKILL');
  };

  it('a catalog worker killed with -9 mid-import: exact state and counts', async () => {
    const f = file('kw', 6000);
    const accepted = await startImport(stack, toCsv(f.header, f.rows));
    await events.waitFor((e) => e.aggregateId === accepted.id && e.type === 'import.chunk_applied');
    await kill('catalog-1');
    await stack.spawnService('catalog', 1);

    const outcome = await events.outcome(accepted.id);
    expect(outcome.type).toBe('import.completed');
    const { state, counts } = sequentialReference([f]);
    expect(outcome.payload!.value).toEqual(counts[0]!.totals);
    expect(await productsWithPrefix(db, 'kw')).toEqual(state);
  });

  it('ingest killed with -9 mid-split: a restarted ingest re-splits and completes it exactly', async () => {
    const f = file('ki', 6000);
    const accepted = await startImport(stack, toCsv(f.header, f.rows));
    await events.waitFor(
      (e) => e.aggregateId === accepted.id && e.type === 'import.split_progress',
    );
    await kill('ingest');
    await stack.spawnService('ingest');

    const outcome = await events.outcome(accepted.id);
    expect(outcome.type).toBe('import.completed');
    const { state, counts } = sequentialReference([f]);
    expect(outcome.payload!.value).toEqual(counts[0]!.totals);
    expect(await productsWithPrefix(db, 'ki')).toEqual(state);
    // The restarted process started the split again rather than the first finishing it.
    expect(events.of(accepted.id, 'import.started').length).toBeGreaterThanOrEqual(2);
  });
});
