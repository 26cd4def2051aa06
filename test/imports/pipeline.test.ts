import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { parse } from 'csv-parse/sync';
import type { ImportDto } from '@pi/api';
import { ImportChunk } from '@pi/proto';
import { describe, expect, it } from 'vitest';
import {
  productsWithPrefix,
  sequentialReference,
  startImport,
  useImportStack,
  toCsv,
  uploadCsv,
  type RawRow,
} from './support.js';

const MAX_UPLOAD_BYTES = 256 * 1024;

/**
 * The tricky file of issue 3: BOM, CRLF, quoted commas/quotes/newlines, unicode, SKUs with spaces,
 * case-different duplicates far apart (other chunks: chunks hold 7 rows here), rows without sku or
 * name, a bad active, a wrong field count and an extra column.
 */
function trickyFile(prefix: string, rows = 300) {
  const header = ['SKU', ' Name ', 'description', 'Active', 'Colour'];
  const actives = ['yes', '0', 'TRUE', '', 'No', '1', 'false'];
  const data: RawRow[] = [];
  for (let i = 0; i < rows; i++) {
    const sku = i % 60 === 59 ? `${prefix}-${i - 50}`.toUpperCase() : `${prefix}-${i}`;
    const row = [
      i % 9 === 0 ? `  ${sku}  ` : sku,
      i % 4 === 0 ? `Widget, "deluxe" ${i}` : `Name ${i} ünï ✓ 日本`,
      i % 5 === 0 ? `Line one\r\nline "two", ${i}` : `desc ${i}`,
      actives[i % actives.length]!,
      'red',
    ];
    if (i % 37 === 5) row[0] = '   ';
    if (i % 41 === 7) row[1] = '';
    if (i % 43 === 11) row[3] = 'maybe';
    data.push(i % 47 === 13 ? row.slice(0, 3) : row);
  }
  return { header, rows: data };
}

describe('import pipeline: REST upload → ingest → chunks → catalog workers', () => {
  const ctx = useImportStack({
    CHUNK_MAX_ROWS: '7',
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
  });

  const getImport = async (id: string) =>
    (await (await fetch(`${ctx.stack.gatewayUrl}/api/imports/${id}`)).json()) as ImportDto;

  it('imports the tricky file with 2 workers exactly like a sequential reference', async () => {
    const file = trickyFile('tricky');
    const accepted = await startImport(ctx.stack, toCsv(file.header, file.rows));
    expect(accepted).toMatchObject({ status: 'queued', filename: 'test.csv' });

    const outcome = await ctx.events.outcome(accepted.id);
    expect(outcome.type).toBe('import.completed');
    const { state, counts } = sequentialReference([file]);
    expect(outcome.payload?.value).toEqual(counts[0]!.totals);
    expect(await productsWithPrefix(ctx.db, 'tricky')).toEqual(state);

    const finished = ctx.events.of(accepted.id, 'import.split_finished')[0]!.payload!.value;
    expect(finished).toMatchObject({
      totalRows: 300,
      rejected: counts[0]!.totals.rejected,
      warnings: ['Ignored unknown column: Colour'],
    });
    expect((finished as { totalChunks: number }).totalChunks).toBeGreaterThan(30);
    tricky = { id: accepted.id, file, reference: counts[0]! };
  });

  let tricky: {
    id: string;
    file: ReturnType<typeof trickyFile>;
    reference: ReturnType<typeof sequentialReference>['counts'][number];
  };

  it('shows the finished import with its counts and warnings', async () => {
    const dto = await waitForStatus(tricky.id, 'completed');
    expect(dto).toMatchObject({
      ...tricky.reference.totals,
      status: 'completed',
      error: null,
      warnings: ['Ignored unknown column: Colour'],
    });
  });

  it('downloads the rejected rows as CSV: line, reason, then the original fields', async () => {
    const res = await fetch(`${ctx.stack.gatewayUrl}/api/imports/${tricky.id}/rejections`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?rejections-/);
    const [head, ...rows] = parse(await res.text(), { relax_column_count: true }) as string[][];
    expect(head).toEqual(['line', 'reason', 'SKU', 'Name', 'description', 'Active', 'Colour']);
    expect(rows.map((r) => ({ line: Number(r[0]), fields: r.slice(2) }))).toEqual(
      tricky.reference.rejectedRows,
    );
    const reasons = new Set(rows.map((r) => r[1]));
    expect(reasons).toEqual(
      new Set([
        'sku is empty',
        'name is empty',
        'active is "maybe"; use true/false, 1/0 or yes/no, or leave it blank',
        'Expected 5 fields like the header, found 3',
      ]),
    );
  });

  it('counts a chunk delivered twice once and does not write it again', async () => {
    const before = await productsWithPrefix(ctx.db, 'tricky');
    const js = jetstream(ctx.events.nc);
    const duplicate: ImportChunk = {
      importId: tricky.id,
      seq: 0,
      epoch: 1_000_000,
      rows: [
        { line: 2, sku: 'tricky-0', name: 'must not be written', description: '', active: false },
      ],
    };
    // A new message id: JetStream's dedupe must not be what saves us, the catalog's bookkeeping must.
    await js.publish(
      `${ctx.stack.testEnv.prefix}.chunks.${tricky.id}`,
      ImportChunk.encode(duplicate).finish(),
      {
        msgID: `${tricky.id}:0:again`,
      },
    );
    await waitChunksDrained();
    expect(await productsWithPrefix(ctx.db, 'tricky')).toEqual(before);
    expect(await waitForStatus(tricky.id, 'completed')).toMatchObject(tricky.reference.totals);
    expect(ctx.events.of(tricky.id, 'import.completed').map((e) => e.id)).toEqual([
      `${tricky.id}:completed`,
    ]);
  });

  it('two imports of overlapping SKUs back to back: the later one wins', async () => {
    const first = overlapFile('ovl', 0, 'first');
    const second = overlapFile('OVL', 60, 'second');
    const a = await startImport(ctx.stack, toCsv(first.header, first.rows, '\n', false));
    const b = await startImport(ctx.stack, toCsv(second.header, second.rows));
    const [oa, ob] = await Promise.all([ctx.events.outcome(a.id), ctx.events.outcome(b.id)]);
    expect([oa.type, ob.type]).toEqual(['import.completed', 'import.completed']);
    const { state } = sequentialReference([first, second]);
    expect(await productsWithPrefix(ctx.db, 'ovl')).toEqual(state);
    // Which import inserted a shared SKU depends on timing; together they inserted each SKU once.
    const totals = [oa, ob].map((e) => e.payload!.value as { inserted: number; updated: number });
    expect(totals[0]!.inserted + totals[1]!.inserted).toBe(state.size);
    expect(totals[0]!.inserted + totals[0]!.updated).toBe(first.rows.length);
    expect(totals[1]!.inserted + totals[1]!.updated).toBe(second.rows.length);
  });

  it('cancels a running import, then retries it from the stored file', async () => {
    const file = overlapFile('cancel', 0, 'c', 3000);
    const accepted = await startImport(ctx.stack, toCsv(file.header, file.rows));
    const cancel = await fetch(`${ctx.stack.gatewayUrl}/api/imports/${accepted.id}/cancel`, {
      method: 'POST',
    });
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toMatchObject({ id: accepted.id, status: 'cancelled' });
    expect((await ctx.events.outcome(accepted.id)).type).toBe('import.cancelled');
    await waitChunksDrained();
    const partial = await productsWithPrefix(ctx.db, 'cancel');
    expect(partial.size).toBeLessThan(file.rows.length);

    const again = await fetch(`${ctx.stack.gatewayUrl}/api/imports/${accepted.id}/cancel`, {
      method: 'POST',
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      error: { code: 'failed_precondition', message: 'The import has already been cancelled' },
    });

    const retry = await fetch(`${ctx.stack.gatewayUrl}/api/imports/${accepted.id}/retry`, {
      method: 'POST',
    });
    expect(retry.status).toBe(202);
    const retried = (await retry.json()) as ImportDto;
    expect(retried.id).not.toBe(accepted.id);
    expect((await ctx.events.outcome(retried.id)).type).toBe('import.completed');
    expect(ctx.events.of(retried.id, 'import.created')[0]!.payload!.value).toMatchObject({
      retryOf: accepted.id,
    });
    expect(await productsWithPrefix(ctx.db, 'cancel')).toEqual(sequentialReference([file]).state);
  });

  it('fails a file without the required columns at once, writing nothing', async () => {
    const accepted = await startImport(ctx.stack, 'SKU,description\r\nhdr-1,no name column\r\n');
    const outcome = await ctx.events.outcome(accepted.id);
    expect(outcome.type).toBe('import.failed');
    expect(outcome.payload!.value).toEqual({
      reason: 'The header row lacks the required column name (found: SKU, description)',
    });
    expect(ctx.events.of(accepted.id, 'import.split_finished')).toEqual([]);
    expect(await productsWithPrefix(ctx.db, 'hdr')).toEqual(new Map());
    expect(await waitForStatus(accepted.id, 'failed')).toMatchObject({
      error: 'The header row lacks the required column name (found: SKU, description)',
    });
  });

  it('fails a binary file as not a UTF-8 CSV file', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff]);
    const accepted = await startImport(ctx.stack, png);
    const outcome = await ctx.events.outcome(accepted.id);
    expect(outcome.payload!.value).toEqual({
      reason: expect.stringMatching(/^This is not a UTF-8 CSV file: /),
    });
  });

  it('answers 400 for an empty file and creates no import', async () => {
    for (const multipart of [true, false]) {
      const res = await uploadCsv(ctx.stack, '', { multipart });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: { code: 'invalid_argument', message: 'The file is empty' },
      });
    }
  });

  it('answers 413 for a file over MAX_UPLOAD_BYTES, streamed or declared', async () => {
    const big = `sku,name\n${'x,y\n'.repeat(MAX_UPLOAD_BYTES / 4 + 10)}`;
    for (const multipart of [true, false]) {
      const res = await uploadCsv(ctx.stack, big, { multipart });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({
        error: {
          code: 'too_large',
          message: `The file is larger than the limit of ${MAX_UPLOAD_BYTES} bytes`,
          details: { limitBytes: MAX_UPLOAD_BYTES },
        },
      });
    }
  });

  it('answers 400 for a wrong multipart field and 415 for a wrong content type', async () => {
    const form = new FormData();
    form.append('upload', new Blob(['sku,name\n']), 'x.csv');
    const wrongField = await fetch(`${ctx.stack.gatewayUrl}/api/imports`, {
      method: 'POST',
      body: form,
    });
    expect(wrongField.status).toBe(400);
    expect(await wrongField.json()).toEqual({
      error: {
        code: 'invalid_argument',
        message: 'The file must be sent in the multipart field "file", not "upload"',
      },
    });
    const json = await uploadCsv(ctx.stack, '{}', {
      multipart: false,
      contentType: 'application/json',
    });
    expect(json.status).toBe(415);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe(
      'unsupported_media_type',
    );
  });

  it('answers 404 for commands on an unknown import', async () => {
    for (const path of ['cancel', 'retry']) {
      const res = await fetch(
        `${ctx.stack.gatewayUrl}/api/imports/00000000-0000-4000-8000-000000000000/${path}`,
        {
          method: 'POST',
        },
      );
      expect(res.status).toBe(404);
    }
    const res = await fetch(`${ctx.stack.gatewayUrl}/api/imports/not-a-uuid/rejections`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'not_found', message: 'No import with id not-a-uuid' },
    });
  });

  /** Polls the progress projection until the import reaches `status`. */
  async function waitForStatus(id: string, status: ImportDto['status']): Promise<ImportDto> {
    for (let i = 0; i < 300; i++) {
      const dto = await getImport(id);
      if (dto.status === status) return dto;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`import ${id} never became ${status}`);
  }

  /** Waits until the catalog workers have taken and acknowledged every chunk. */
  async function waitChunksDrained() {
    const jsm = await jetstreamManager(ctx.events.nc);
    const stream = `${ctx.stack.testEnv.prefix.toUpperCase()}_CHUNKS`;
    for (let i = 0; i < 600; i++) {
      const info = await jsm.consumers.info(stream, 'catalog-workers');
      if (info.num_pending === 0 && info.num_ack_pending === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('chunks were never drained');
  }
});

/** `rows` rows of SKUs `<prefix>-<start+i>` named `<label> i`. */
function overlapFile(prefix: string, start: number, label: string, rows = 120) {
  return {
    header: ['sku', 'name', 'description'],
    rows: Array.from({ length: rows }, (_, i) => [
      `${prefix}-${start + i}`,
      `${label} ${i}`,
      `from ${label}`,
    ]),
  };
}
