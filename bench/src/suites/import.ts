/**
 * Import throughput: (a) PostgreSQL's own bulk path — COPY into a staging table plus one
 * deduplicating upsert — against (b) the same file end to end through the REST API (upload start
 * to `import.completed`), with each service's peak RSS, at 500K and 2M rows (BENCH_ROWS overrides,
 * e.g. `BENCH_ROWS=100000,500000`).
 */
import { createReadStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { decodeEvent } from '@pi/contracts';
import type { Stack } from '@pi/infra';
import type { NatsConnection } from '@pi/messaging';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openBenchEnv } from '../environment.js';
import { writeCsvFile } from '../gen-csv.js';
import type { BenchRow, BenchSuite } from '../report.js';

const SUITE = 'import';
const SIZES = (process.env.BENCH_ROWS ?? '500000,2000000').split(',').map(Number);
const RSS_LIMIT_MB = 250;

const seconds = (s: number) => `${s.toFixed(1)} s`;
const rowsLabel = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}K`);

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** COPY into staging + one INSERT … SELECT DISTINCT ON … ON CONFLICT DO UPDATE; returns seconds. */
async function baselineSeconds(
  url: string,
  file: string,
): Promise<{ seconds: number; rows: number }> {
  return withClient(url, async (c) => {
    await c.query('drop table if exists bench_staging, bench_products');
    await c.query('create unlogged table bench_staging (name text, sku text, description text)');
    await c.query(`create table bench_products (id bigint generated always as identity primary key,
      sku text not null, sku_key text not null unique, name text not null, description text not null,
      active boolean not null default true, created_at timestamptz not null default now(),
      updated_at timestamptz not null default now())`);
    const started = performance.now();
    await pipeline(
      createReadStream(file),
      c.query(
        copyFrom(
          'copy bench_staging (name, sku, description) from stdin with (format csv, header true)',
        ),
      ),
    );
    // The last row of a SKU wins, like the importer's order semantics.
    await c.query(`insert into bench_products (sku, sku_key, name, description)
      select distinct on (lower(trim(sku))) trim(sku), lower(trim(sku)), trim(name), trim(description)
      from (select *, row_number() over () as n from bench_staging) s
      order by lower(trim(sku)), n desc
      on conflict (sku_key) do update set sku = excluded.sku, name = excluded.name,
        description = excluded.description, updated_at = now()`);
    const elapsed = (performance.now() - started) / 1000;
    const { rows } = await c.query<{ n: number }>('select count(*)::int as n from bench_products');
    await c.query('drop table bench_staging, bench_products');
    return { seconds: elapsed, rows: rows[0]!.n };
  });
}

/** Samples every service process's resident memory while `work` runs; peak MB per process. */
async function withPeakRss<T>(stack: Stack, work: () => Promise<T>) {
  const peaks = new Map<string, number>();
  const sample = async () => {
    for (const p of stack.processes) {
      if (p.child.exitCode !== null || !p.child.pid) continue;
      const status = await readFile(`/proc/${p.child.pid}/status`, 'utf8').catch(() => '');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peaks.set(p.name, Math.max(peaks.get(p.name) ?? 0, kb / 1024));
    }
  };
  const timer = setInterval(() => void sample(), 250);
  try {
    const result = await work();
    await sample();
    return { result, peaks };
  } finally {
    clearInterval(timer);
  }
}

/** POSTs the file as a raw text/csv body, streamed, with its Content-Length. */
function upload(gatewayUrl: string, file: string): Promise<{ id: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${gatewayUrl}/api/imports?filename=${path.basename(file)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'text/csv', 'content-length': statSync(file).size },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          res.statusCode === 202
            ? resolve(JSON.parse(body) as { id: string })
            : reject(new Error(`upload answered ${res.statusCode}: ${body}`)),
        );
      },
    );
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

/** Resolves with the terminal event of an import (the subscription must exist before the upload). */
function outcomes(nc: NatsConnection, prefix: string) {
  const seen = new Map<string, { type: string; value: unknown }>();
  const waiters = new Map<string, (e: { type: string; value: unknown }) => void>();
  const sub = nc.subscribe(`${prefix}.events.import.>`);
  void (async () => {
    for await (const m of sub) {
      const e = decodeEvent(m.data);
      if (!['import.completed', 'import.failed', 'import.cancelled'].includes(e.type)) continue;
      const outcome = { type: e.type, value: e.payload?.value };
      seen.set(e.aggregateId, outcome);
      waiters.get(e.aggregateId)?.(outcome);
    }
  })();
  return (id: string) =>
    new Promise<{ type: string; value: unknown }>((resolve) => {
      const known = seen.get(id);
      if (known) resolve(known);
      else waiters.set(id, resolve);
    });
}

async function runSize(
  rowsCount: number,
  ctx: { dbUrl: string; stack: Stack; workDir: string; outcome: ReturnType<typeof outcomes> },
  log: (l: string) => void,
  previousPeaks: Map<string, number> | undefined,
) {
  const label = rowsLabel(rowsCount);
  const file = path.join(ctx.workDir, `products-${rowsCount}.csv`);
  log(`${label}: generating ${file}…`);
  await writeCsvFile({ rows: rowsCount, seed: 42 }, file);
  const sizeMb = statSync(file).size / 1e6;

  log(`${label}: baseline (COPY + DISTINCT ON upsert)…`);
  const baseline = await baselineSeconds(ctx.dbUrl, file);

  await withClient(ctx.dbUrl, (c) => c.query('truncate products'));
  log(`${label}: end to end through POST /api/imports…`);
  const { result, peaks } = await withPeakRss(ctx.stack, async () => {
    const started = performance.now();
    const accepted = await upload(ctx.stack.gatewayUrl, file);
    const uploaded = (performance.now() - started) / 1000;
    const outcome = await ctx.outcome(accepted.id);
    const total = (performance.now() - started) / 1000;
    if (outcome.type !== 'import.completed') {
      throw new Error(
        `import ${accepted.id} ended ${outcome.type}: ${JSON.stringify(outcome.value)}`,
      );
    }
    return { uploaded, total };
  });
  const { rows } = await withClient(ctx.dbUrl, (c) =>
    c.query<{ n: number }>('select count(*)::int as n from products'),
  );
  const products = rows[0]!.n;

  const out: BenchRow[] = [
    {
      suite: SUITE,
      measure: `${label} file`,
      value: `${sizeMb.toFixed(0)} MB`,
      note: `${rowsCount} rows, ${baseline.rows} distinct SKUs`,
    },
    {
      suite: SUITE,
      measure: `${label} baseline COPY + upsert`,
      value: seconds(baseline.seconds),
      note: `${Math.round(rowsCount / baseline.seconds)} rows/s`,
    },
    {
      suite: SUITE,
      measure: `${label} end to end (REST → completed)`,
      value: seconds(result.total),
      target: '≤ 2× baseline',
      note: `${(result.total / baseline.seconds).toFixed(2)}× baseline; ${Math.round(rowsCount / result.total)} rows/s; upload answered after ${seconds(result.uploaded)}`,
    },
    {
      suite: SUITE,
      measure: `${label} products after import`,
      value: String(products),
      target: `= ${baseline.rows}`,
      note: products === baseline.rows ? 'matches the baseline' : 'DIFFERS from the baseline',
    },
  ];
  for (const [name, mb] of [...peaks].sort()) {
    const before = previousPeaks?.get(name);
    out.push({
      suite: SUITE,
      measure: `${label} peak RSS ${name}`,
      value: `${mb.toFixed(0)} MB`,
      target: before ? `< ${RSS_LIMIT_MB} MB, < +20%` : `< ${RSS_LIMIT_MB} MB`,
      note: before
        ? `${(((mb - before) / before) * 100).toFixed(0)}% vs ${rowsLabel(SIZES[0]!)}`
        : undefined,
    });
  }
  rmSync(file, { force: true });
  return { rows: out, peaks };
}

export const importSuite: BenchSuite = {
  name: SUITE,
  async run(log) {
    const env = await openBenchEnv(SUITE, log);
    const workDir = path.join(env.dataDir, 'files');
    mkdirSync(workDir, { recursive: true });
    const dbUrl = env.databaseUrl;
    try {
      const outcome = outcomes(env.nc, env.prefix);
      const stack = await env.startStack({
        catalogReplicas: Number(process.env.CATALOG_REPLICAS ?? 2),
      });
      const rows: BenchRow[] = [];
      let previousPeaks: Map<string, number> | undefined;
      for (const size of SIZES) {
        const result = await runSize(size, { dbUrl, stack, workDir, outcome }, log, previousPeaks);
        rows.push(...result.rows);
        previousPeaks ??= result.peaks;
      }
      return rows;
    } finally {
      await env.close();
    }
  },
};
