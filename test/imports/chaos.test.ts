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

  /** Starts an import, SIGKILLs `victim` once `moment` is seen, restarts it, awaits the outcome. */
  async function importThroughCrash(
    prefix: string,
    moment: string,
    victim: { service: 'catalog' | 'ingest'; replica: number },
  ) {
    const f = file(prefix, 6000);
    const accepted = await startImport(ctx.stack, toCsv(f.header, f.rows));
    await ctx.events.waitFor((e) => e.aggregateId === accepted.id && e.type === moment);
    const name = victim.replica ? `${victim.service}-${victim.replica}` : victim.service;
    const proc = ctx.stack.processes.find((p) => p.name === name && p.child.exitCode === null)!;
    await proc.stop('SIGKILL');
    await ctx.stack.spawnService(victim.service, victim.replica);

    const outcome = await ctx.events.outcome(accepted.id);
    expect(outcome.type).toBe('import.completed');
    const { state, counts } = sequentialReference([f]);
    expect(outcome.payload!.value).toEqual(counts[0]!.totals);
    expect(await productsWithPrefix(ctx.db, prefix)).toEqual(state);
    return accepted.id;
  }

  it('a catalog worker killed with -9 mid-import: exact state and counts', async () => {
    await importThroughCrash('kw', 'import.chunk_applied', { service: 'catalog', replica: 1 });
  });

  it('ingest killed with -9 mid-split: a restarted ingest re-splits and completes it exactly', async () => {
    const id = await importThroughCrash('ki', 'import.split_progress', {
      service: 'ingest',
      replica: 0,
    });
    // The restarted process started the split again rather than the first finishing it.
    expect(ctx.events.of(id, 'import.started').length).toBeGreaterThanOrEqual(2);
  });
});
