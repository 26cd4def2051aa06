import { createDb, sql, type Kysely } from '@pi/db';
import { decodeEvent } from '@pi/contracts';
import { createLogger } from '@pi/logger';
import { connectNats, type NatsConnection } from '@pi/messaging';
import type { EventEnvelope } from '@pi/proto';
import type { ImportDto } from '@pi/api';
import { startTestStack, type TestStack } from '@pi/testing';
import { afterAll, beforeAll } from 'vitest';

/** One data row as written in a test file: raw field texts, quoted when needed. */
export type RawRow = string[];

const needsQuotes = (v: string) => /[",\r\n]/.test(v);
const quote = (v: string) => (needsQuotes(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Writes header and rows as CSV with the given line ending (RFC 4180 quoting). */
export function toCsv(header: string[], rows: RawRow[], eol = '\r\n', bom = true): string {
  const lines = [header, ...rows].map((r) => r.map(quote).join(','));
  return `${bom ? '\ufeff' : ''}${lines.join(eol)}${eol}`;
}

export interface Product {
  sku: string;
  name: string;
  description: string;
  active: boolean;
}

const ACTIVE: Record<string, boolean> = {
  true: true,
  '1': true,
  yes: true,
  false: false,
  '0': false,
  no: false,
};

/**
 * The expected catalogue after applying files in order, row by row, written independently of the
 * importer: trimmed values, SKU identity ignoring case, the last row wins, blank active keeps the
 * existing flag (new products are active). Returns the state and, per file, its counts and
 * rejected rows (with the physical line each starts on, for files written by `toCsv`).
 */
export function sequentialReference(files: { header: string[]; rows: RawRow[] }[]) {
  const state = new Map<string, Product>();
  const counts = files.map(({ header, rows }) => {
    const col = (name: string) => header.findIndex((h) => h.trim().toLowerCase() === name);
    const [iSku, iName, iDesc, iActive] = ['sku', 'name', 'description', 'active'].map(col);
    let inserted = 0;
    let updated = 0;
    const rejectedRows: { line: number; fields: string[] }[] = [];
    let line = 2;
    for (const fields of rows) {
      const rowLine = line;
      line += 1 + fields.join('').split('\n').length - 1;
      const sku = fields[iSku!]?.trim() ?? '';
      const name = fields[iName!]?.trim() ?? '';
      const activeText = iActive! >= 0 ? (fields[iActive!]?.trim().toLowerCase() ?? '') : '';
      const badActive = activeText !== '' && !(activeText in ACTIVE);
      if (fields.length !== header.length || !sku || !name || badActive) {
        rejectedRows.push({ line: rowLine, fields });
        continue;
      }
      const key = sku.toLowerCase();
      const existing = state.get(key);
      if (existing) updated++;
      else inserted++;
      state.set(key, {
        sku,
        name,
        description: iDesc! >= 0 ? fields[iDesc!]!.trim() : '',
        active: activeText === '' ? (existing?.active ?? true) : ACTIVE[activeText]!,
      });
    }
    return {
      totals: { totalRows: rows.length, inserted, updated, rejected: rejectedRows.length },
      rejectedRows,
    };
  });
  return { state, counts };
}

/** Products whose SKU starts with `prefix` (each test uses its own), keyed by sku_key. */
export async function productsWithPrefix(db: Kysely<unknown>, prefix: string) {
  const { rows } = await sql<Product & { sku_key: string }>`
    select sku_key, sku, name, description, active from products
    where sku_key like ${`${prefix.toLowerCase()}%`} order by sku_key`.execute(db);
  return new Map(rows.map(({ sku_key, ...p }) => [sku_key, p]));
}

/** Collects import events from the test's NATS prefix; subscribe before acting. */
export class ImportEventLog {
  readonly events: EventEnvelope[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly nc: NatsConnection) {}

  static async open(stack: TestStack): Promise<ImportEventLog> {
    const nc = await connectNats(
      stack.testEnv.env.NATS_URL!,
      'import-test',
      createLogger('test', 'silent'),
    );
    const log = new ImportEventLog(nc);
    const sub = nc.subscribe(`${stack.testEnv.prefix}.events.import.>`);
    void (async () => {
      for await (const m of sub) {
        log.events.push(decodeEvent(m.data));
        for (const w of log.waiters.splice(0)) w();
      }
    })();
    await nc.flush();
    return log;
  }

  of(importId: string, type?: string): EventEnvelope[] {
    return this.events.filter((e) => e.aggregateId === importId && (!type || e.type === type));
  }

  /** Waits until an event matching `predicate` has arrived. */
  async waitFor(
    predicate: (e: EventEnvelope) => boolean,
    timeoutMs = 90_000,
  ): Promise<EventEnvelope> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for an import event');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The terminal event of an import: completed, failed or cancelled. */
  outcome(importId: string): Promise<EventEnvelope> {
    return this.waitFor(
      (e) =>
        e.aggregateId === importId &&
        ['import.completed', 'import.failed', 'import.cancelled'].includes(e.type),
    );
  }

  close() {
    return this.nc.close();
  }
}

export async function uploadCsv(
  stack: TestStack,
  body: string | Buffer,
  options: { filename?: string; multipart?: boolean; contentType?: string } = {},
): Promise<Response> {
  const url = `${stack.gatewayUrl}/api/imports`;
  if (options.multipart ?? true) {
    const form = new FormData();
    form.append('file', new Blob([body], { type: 'text/csv' }), options.filename ?? 'test.csv');
    return fetch(url, { method: 'POST', body: form });
  }
  return fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': options.contentType ?? 'text/csv' },
  });
}

/** Uploads and returns the accepted import (fails the test on any other status). */
export async function startImport(stack: TestStack, body: string | Buffer): Promise<ImportDto> {
  const res = await uploadCsv(stack, body);
  const dto = (await res.json()) as ImportDto;
  if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${JSON.stringify(dto)}`);
  return dto;
}

export interface ImportTestContext {
  stack: TestStack;
  events: ImportEventLog;
  /** The test's own database: products are read straight from it to compare with a reference. */
  db: Kysely<unknown>;
}

/** Starts the stack (2 catalog workers) for a test file, with an event log and a database handle. */
export function useImportStack(env: Record<string, string>): ImportTestContext {
  const ctx = {} as ImportTestContext;
  beforeAll(async () => {
    ctx.stack = await startTestStack({ catalogReplicas: 2, env });
    ctx.events = await ImportEventLog.open(ctx.stack);
    ctx.db = createDb<unknown>({ url: ctx.stack.testEnv.databaseUrl, poolMax: 2 });
  });
  afterAll(async () => {
    await ctx.events?.close();
    await ctx.db?.destroy();
    await ctx.stack?.stop();
  });
  return ctx;
}
