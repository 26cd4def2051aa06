import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ApiErrorBody, ImportDto, Page } from '@pi/api';
import { createDb, sql } from '@pi/db';
import { repoRoot, waitFor } from '@pi/infra';
import { startTestStack, type TestStack } from '@pi/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportEvents, getJson, waitForImport } from './support.js';

/** The progress projection, driven by real import events on NATS, read over REST. */
describe('progress projection', () => {
  let stack: TestStack;
  let events: ImportEvents;
  const t0 = new Date(Date.now() - 60_000);
  const iso = (seconds: number) => new Date(t0.getTime() + seconds * 1000).toISOString();

  beforeAll(async () => {
    stack = await startTestStack({ catalogReplicas: 1 });
    events = await ImportEvents.connect(stack);
  });

  afterAll(async () => {
    await events?.close();
    await stack?.stop();
  });

  it('folds a whole import into the ImportDto of SPEC §4', async () => {
    const imp = events.forImport(randomUUID(), t0);
    await imp.created('products.csv', 0);
    await imp.started(10_000, 1);
    await imp.progress(5_000, 500, 4, 2);
    await imp.chunk(0, 400, 50, 3);
    await imp.splitFinished({ totalRows: 1000, validRows: 990, rejected: 10, totalChunks: 2 }, 4, [
      'Ignored column "colour"',
    ]);
    await imp.chunk(1, 450, 90, 5);
    await imp.completed({ totalRows: 1000, inserted: 850, updated: 140, rejected: 10 }, 6);

    const dto = await waitForImport(stack, imp.id, (d) => d.status === 'completed');
    expect(dto).toEqual({
      id: imp.id,
      filename: 'products.csv',
      status: 'completed',
      totalBytes: 10_000,
      bytesRead: 10_000,
      totalRows: 1000,
      processedRows: 1000,
      inserted: 850,
      updated: 140,
      rejected: 10,
      rowsPerSecond: 198, // 990 rows applied over the 5 s from start to finish
      etaSeconds: 0,
      error: null,
      warnings: ['Ignored column "colour"'],
      createdAt: iso(0),
      startedAt: iso(1),
      finishedAt: iso(6),
    } satisfies ImportDto);
  });

  it('shows a running import with a rate and an ETA from the bytes read so far', async () => {
    const imp = events.forImport(randomUUID(), t0);
    await imp.created('running.csv', 0);
    await imp.started(10_000, 1);
    await imp.progress(5_000, 1_000, 0, 2);
    await imp.chunk(0, 500, 0, 3);

    const dto = await waitForImport(stack, imp.id, (d) => d.processedRows === 500);
    expect(dto).toMatchObject({
      status: 'importing',
      totalRows: null,
      bytesRead: 5_000,
      rowsPerSecond: 250, // 500 rows in the 2 s since the start
      etaSeconds: 6, // about 2,000 rows in the file (half read), 1,500 left at 250 rows/s
      finishedAt: null,
    });
  });

  it('counts a republished chunk once and tolerates events before import.created', async () => {
    const imp = events.forImport(randomUUID(), t0);
    await imp.chunk(0, 100, 20, 3);
    await imp.chunk(0, 100, 20, 3, ':republished');
    await imp.created('late.csv', 0);
    await imp.started(2_000, 1);
    await imp.chunk(1, 60, 10, 4);
    await imp.chunk(1, 60, 10, 4, ':republished');
    await imp.splitFinished({ totalRows: 195, validRows: 190, rejected: 5, totalChunks: 2 }, 5);

    // split_finished comes after every duplicate on the stream: once it shows, all were folded.
    const dto = await waitForImport(stack, imp.id, (d) => d.totalRows !== null);
    expect(dto).toMatchObject({
      filename: 'late.csv',
      status: 'importing',
      inserted: 160,
      updated: 30,
      rejected: 5,
      processedRows: 195,
      etaSeconds: 0,
      createdAt: iso(0),
    });

    await imp.failed('Chunk 2 can never apply: value too long', 6);
    await imp.completed({ totalRows: 195, inserted: 160, updated: 30, rejected: 5 }, 7);
    const failed = await waitForImport(stack, imp.id, (d) => d.status !== 'importing');
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'Chunk 2 can never apply: value too long',
      finishedAt: iso(6),
      etaSeconds: null,
    });
  });

  it('lists imports newest first with an opaque cursor', async () => {
    const base = new Date(Date.now() + 3_600_000); // after every other import of this file
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const imp = events.forImport(randomUUID(), new Date(base.getTime() + i * 1000));
      await imp.created(`list-${i}.csv`);
      ids.push(imp.id);
    }
    await waitForImport(stack, ids[4]!, () => true, 'the last listed import');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=2&cursor=${encodeURIComponent(cursor)}` : 'limit=2';
      const page = await getJson<Page<ImportDto>>(`${stack.gatewayUrl}/api/imports?${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor && seen.length < 5);
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());

    const first = await getJson<Page<ImportDto>>(`${stack.gatewayUrl}/api/imports`);
    expect(first.body.items[0]?.id).toBe(ids[4]);
  });

  it('answers bad list parameters with 400 and an unknown import with 404', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'limit=1&limit=2']) {
      const res = await getJson<ApiErrorBody>(`${stack.gatewayUrl}/api/imports?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe('invalid_argument');
    }
    const badCursor = await getJson<ApiErrorBody>(
      `${stack.gatewayUrl}/api/imports?cursor=nonsense`,
    );
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.error.message).toMatch(/cursor/);

    const id = randomUUID();
    const missing = await getJson<ApiErrorBody>(`${stack.gatewayUrl}/api/imports/${id}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { code: 'not_found', message: `Import ${id} not found` },
    });
  });

  it('listens for changes again after PostgreSQL drops its connection', async () => {
    const db = createDb({ url: stack.testEnv.databaseUrl, poolMax: 1 });
    const listeners = async () =>
      (
        await sql<{ pid: number }>`select pid from pg_stat_activity
          where application_name = 'gateway-progress-feed' and datname = current_database()`.execute(
          db,
        )
      ).rows.map((r) => r.pid);
    try {
      const [pid] = await listeners();
      expect(pid).toBeDefined();
      await sql`select pg_terminate_backend(${pid})`.execute(db);
      await waitFor(
        'the gateway to listen on a new connection',
        async () => {
          const now = await listeners();
          return now.length === 1 && now[0] !== pid;
        },
        15_000,
      );
    } finally {
      await db.destroy();
    }
    expect((await fetch(`${stack.gatewayUrl}/readyz`)).status).toBe(200);
  });

  it('rebuild-projection drops the projection and replays the events to the same state', async () => {
    const list = async () =>
      (await getJson<Page<ImportDto>>(`${stack.gatewayUrl}/api/imports?limit=100`)).body.items;
    const before = await list();
    expect(before.length).toBeGreaterThanOrEqual(8);

    // A row no event explains: the rebuild must drop it rather than fold on top of it.
    const ghost = randomUUID();
    const db = createDb({ url: stack.testEnv.databaseUrl, poolMax: 1 });
    try {
      await sql`insert into import_progress (import_id, filename, status, total_bytes, bytes_read,
          rows_read, rejected, applied_rows, applied_inserted, applied_updated, rows_per_second,
          rate_sample_rows, warnings, created_at, version)
        values (${ghost}, 'ghost.csv', 'importing', 0, 0, 0, 0, 0, 0, 0, 0, 0, '[]', now(), 1)`.execute(
        db,
      );
    } finally {
      await db.destroy();
    }
    expect((await getJson(`${stack.gatewayUrl}/api/imports/${ghost}`)).status).toBe(200);

    const output = await runRebuild(stack);
    expect(output).toMatch(/progress projection rebuilt/);

    expect((await getJson(`${stack.gatewayUrl}/api/imports/${ghost}`)).status).toBe(404);
    expect(await list()).toEqual(before);
  });
});

/** `node services/gateway/dist/index.js rebuild-projection` against this test's database and prefix. */
async function runRebuild(stack: TestStack): Promise<string> {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'services/gateway/dist/index.js'), 'rebuild-projection'],
    { env: { ...process.env, ...stack.testEnv.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`rebuild-projection exited with ${code}:\n${output}`);
  return output;
}
