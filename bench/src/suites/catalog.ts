/**
 * Catalog: list/search latency through the HTTP API on 500K products, delete-all, and the cost of
 * keeping search indexed on the write path (the figures behind the search design in README).
 */
import pg from 'pg';
import { openBenchEnv } from '../environment.js';
import { ms, percentile, type BenchRow, type BenchSuite } from '../report.js';

const ROWS = Number(process.env.BENCH_CATALOG_ROWS ?? 500_000);
const WRITE_ROWS = Number(process.env.BENCH_CATALOG_WRITE_ROWS ?? 100_000);
const SAMPLES = 50;
const SUITE = 'catalog';

/**
 * Exactly 64 words (the SQL picks one with `% 64`): names get 3, descriptions 12, so a word is in
 * ~5% of names and ~20% of rows.
 */
const WORDS =
  'alpha bravo steel copper widget gadget lamp chair table cable phone cover bottle shirt mug desk ' +
  'green blue red large small premium basic pro oak glass wool cotton silver golden round square ' +
  'light heavy soft hard mini maxi ultra smart classic modern vintage rustic bright dark fresh ' +
  'quiet rapid solid flexible portable compact deluxe eco travel office garden kitchen outdoor ' +
  'indoor winter summer autumn';

/** Products n in (from, to]: SKU-<n>, random words (deterministic per n), every 10th inactive. */
const productRows = (from: string, to: string) => `
  with w as (select string_to_array('${WORDS}', ' ') as words)
  select 'SKU-' || n as sku, 'sku-' || n as sku_key,
    initcap(words[1 + abs(hashint4(n)) % 64]) || ' ' || words[1 + abs(hashint4(n + 7)) % 64] || ' '
      || words[1 + abs(hashint4(n + 13)) % 64] || ' ' || n as name,
    (select string_agg(words[1 + abs(hashint4(n * 31 + k)) % 64], ' ') from generate_series(1, 12) k)
      as description,
    n % 10 <> 0 as active, n as line
  from w, generate_series(${from}::int + 1, ${to}::int) n`;

async function query(url: string, text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/**
 * Upserts WRITE_ROWS rows in 1000-row statements shaped like the chunk apply, into a table with
 * what a search design adds to the write path; returns the seconds taken.
 */
async function writePathSeconds(url: string, setup: string[]): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('drop table if exists wp, wp_backlog, wp_count cascade');
    await client.query(`create table wp (id bigint generated always as identity primary key,
      sku text not null, sku_key text not null unique, name text not null, description text not null,
      active boolean not null, version_epoch bigint not null, version_line int not null,
      updated_at timestamptz not null default now())`);
    for (const s of setup) await client.query(s);
    const started = performance.now();
    for (const epoch of [1, 2]) {
      for (let from = 0; from < WRITE_ROWS; from += 1000) {
        await client.query(`
          insert into wp (sku, sku_key, name, description, active, version_epoch, version_line)
          select sku, sku_key, name || ' v${epoch}', description, active, ${epoch}, line
          from (${productRows(String(from), String(from + 1000))}) r
          on conflict (sku_key) do update set name = excluded.name, version_epoch = excluded.version_epoch,
            version_line = excluded.version_line, updated_at = now()
          where (wp.version_epoch, wp.version_line) < (excluded.version_epoch, excluded.version_line)`);
      }
    }
    return (performance.now() - started) / 1000;
  } finally {
    await client
      .query('drop table if exists wp, wp_backlog, wp_count cascade')
      .catch(() => undefined);
    await client.end();
  }
}

const WRITE_DESIGNS: [string, string[]][] = [
  ['no search index', []],
  [
    'backlog + count triggers (chosen)',
    [
      'create table wp_backlog (seq bigint generated always as identity primary key, product_id bigint not null)',
      `create or replace function wp_note() returns trigger language plpgsql as $$
       begin insert into wp_backlog (product_id) select id from changed; return null; end $$`,
      'create trigger wp_ins after insert on wp referencing new table as changed for each statement execute function wp_note()',
      'create trigger wp_upd after update on wp referencing new table as changed for each statement execute function wp_note()',
      // The exact product count's delta trigger rides on the same statements.
      'create table wp_count (delta bigint not null)',
      `create or replace function wp_count_note() returns trigger language plpgsql as $$
       begin insert into wp_count select count(*) from changed having count(*) > 0; return null; end $$`,
      'create trigger wp_cnt after insert on wp referencing new table as changed for each statement execute function wp_count_note()',
    ],
  ],
  [
    'trigram GIN on products',
    [
      'create extension if not exists pg_trgm',
      `create index on wp using gin ((sku || chr(10) || name || chr(10) || description) gin_trgm_ops)`,
    ],
  ],
];

/** Rounds per design, interleaved so a load spike on a shared machine hits every design alike. */
const ROUNDS: Record<string, number> = {
  'no search index': 3,
  'backlog + count triggers (chosen)': 3,
};

async function writePathMedians(url: string): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(WRITE_DESIGNS.map(([d]) => [d, []]));
  for (let round = 0; round < 3; round++) {
    for (const [design, setup] of WRITE_DESIGNS) {
      if (round < (ROUNDS[design] ?? 1))
        samples.get(design)!.push(await writePathSeconds(url, setup));
    }
  }
  return new Map([...samples].map(([d, s]) => [d, percentile(s, 50)]));
}

async function timeRequests(url: string, samples = SAMPLES): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples + 5; i++) {
    const started = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    if (i >= 5) times.push(performance.now() - started);
  }
  return times;
}

async function waitForSearchIndex(url: string, log: (l: string) => void): Promise<number> {
  const started = performance.now();
  for (;;) {
    const { rows } = await query(url, 'select exists (select 1 from search_backlog) as pending');
    if (!rows[0].pending) return (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 500));
    if (performance.now() - started > 600_000) {
      log('search index still not caught up after 10 minutes');
      return NaN;
    }
  }
}

async function waitForAutovacuum(url: string) {
  for (let i = 0; i < 120; i++) {
    const { rows } = await query(
      url,
      "select count(*)::int as n from pg_stat_activity where backend_type = 'autovacuum worker'",
    );
    if (rows[0].n === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const catalogSuite: BenchSuite = {
  name: SUITE,
  async run(log) {
    const rows: BenchRow[] = [];
    const env = await openBenchEnv(SUITE, log);
    const dbUrl = env.databaseUrl;
    try {
      log(`write path: upserting ${WRITE_ROWS} rows twice under each search design…`);
      const seconds = await writePathMedians(dbUrl);
      const base = seconds.get(WRITE_DESIGNS[0]![0])!;
      for (const [design, value] of seconds) {
        rows.push({
          suite: SUITE,
          measure: `write path, ${design}`,
          value: `${value.toFixed(1)} s (${(value / base).toFixed(2)}×)`,
          target: '≤ 1.25× no index',
          note: `${WRITE_ROWS} inserts + ${WRITE_ROWS} updates; median of ${ROUNDS[design] ?? 1}`,
        });
      }

      const stack = await env.startStack({ catalogReplicas: 1 });
      log(`loading ${ROWS} products…`);
      let started = performance.now();
      await query(
        dbUrl,
        `insert into products (sku, sku_key, name, description, active, version_epoch, version_line)
         select sku, sku_key, name, description, active, 1, line from (${productRows('0', String(ROWS))}) r`,
      );
      log(
        `loaded in ${((performance.now() - started) / 1000).toFixed(1)} s; waiting for the search index…`,
      );
      const indexSeconds = await waitForSearchIndex(dbUrl, log);
      rows.push({
        suite: SUITE,
        measure: 'search index ready after the load',
        value: `${indexSeconds.toFixed(1)} s`,
        note: `${ROWS} rows; includes the ${process.env.SEARCH_INDEX_QUIET_MS ?? 2000} ms quiet wait`,
      });
      await query(dbUrl, 'vacuum analyze products, product_search');

      const api = `${stack.gatewayUrl}/api/products`;
      const deepId = Math.floor(ROWS * 0.1);
      const deepCursor = Buffer.from(JSON.stringify({ id: String(deepId) })).toString('base64url');
      const cases: [string, string][] = [
        ['first page', ''],
        [`deep cursor page (id < ${deepId})`, `cursor=${deepCursor}`],
        ['q=steel (common word)', 'q=steel'],
        ['q=sku-4242 (rare)', 'q=sku-4242'],
        ['name=lamp&active=false', 'name=lamp&active=false'],
        ['description=vintage rustic', 'description=vintage%20rustic'],
        ['no-match search', 'q=zzqqxx'],
      ];
      for (const [label, qs] of cases) {
        const times = await timeRequests(`${api}?${qs}`);
        rows.push({
          suite: SUITE,
          measure: `GET /api/products ${label}`,
          value: `p50 ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))}`,
          target: 'p95 < 50 ms',
        });
      }

      // TRUNCATE waits for a running autovacuum to cancel itself (deadlock_timeout, 1 s), which
      // follows a 500K load; measure the delete on a settled catalogue, as the table says.
      await waitForAutovacuum(dbUrl);
      started = performance.now();
      const res = await fetch(`${api}?confirm=true`, { method: 'DELETE' });
      const deleteMs = performance.now() - started;
      const body = (await res.json()) as { deleted?: number };
      rows.push({
        suite: SUITE,
        measure: 'DELETE /api/products?confirm=true',
        value: ms(deleteMs),
        target: '< 250 ms',
        note: `deleted ${body.deleted}; no autovacuum running`,
      });
      return rows;
    } finally {
      await env.close();
    }
  },
};
