import { describe, expect, it } from 'vitest';
import {
  productsWithPrefix,
  sequentialReference,
  startImport,
  useImportStack,
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
  // Many small chunks keep the import running long enough to crash it; a short lease lets a
  // restarted ingest take its split back quickly.
  const ctx = useImportStack({ CHUNK_MAX_ROWS: '20', SPLIT_LEASE_MS: '2000' });

  const kill = async (name: string) => {
    const proc = ctx.stack.processes.find((p) => p.name === name && p.child.exitCode === null)!;
    await proc.stop('SIGKILL');
  };

  it('a catalog worker killed with -9 mid-import: exact state and counts', async () => {
    const f = file('kw', 6000);
    const accepted = await startImport(ctx.stack, toCsv(f.header, f.rows));
    await ctx.events.waitFor(
      (e) => e.aggregateId === accepted.id && e.type === 'import.chunk_applied',
    );
    await kill('catalog-1');
    await ctx.stack.spawnService('catalog', 1);

    const outcome = await ctx.events.outcome(accepted.id);
    expect(outcome.type).toBe('import.completed');
    const { state, counts } = sequentialReference([f]);
    expect(outcome.payload!.value).toEqual(counts[0]!.totals);
    expect(await productsWithPrefix(ctx.db, 'kw')).toEqual(state);
  });

  it('ingest killed with -9 mid-split: a restarted ingest re-splits and completes it exactly', async () => {
    const f = file('ki', 6000);
    const accepted = await startImport(ctx.stack, toCsv(f.header, f.rows));
    await ctx.events.waitFor(
      (e) => e.aggregateId === accepted.id && e.type === 'import.split_progress',
    );
    await kill('ingest');
    await ctx.stack.spawnService('ingest');

    const outcome = await ctx.events.outcome(accepted.id);
    expect(outcome.type).toBe('import.completed');
    const { state, counts } = sequentialReference([f]);
    expect(outcome.payload!.value).toEqual(counts[0]!.totals);
    expect(await productsWithPrefix(ctx.db, 'ki')).toEqual(state);
    // The restarted process started the split again rather than the first finishing it.
    expect(ctx.events.of(accepted.id, 'import.started').length).toBeGreaterThanOrEqual(2);
  });
});
