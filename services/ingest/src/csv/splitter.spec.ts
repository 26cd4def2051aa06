import type { ChunkRow } from '@pi/proto';
import { describe, expect, it } from 'vitest';
import { FileRejectedError, splitCsv, type Rejection, type SplitOptions } from './splitter.js';

const OPTIONS: SplitOptions = {
  maxChunkRows: 2,
  maxChunkBytes: 64 * 1024,
  maxInFlight: 2,
  maxRecordBytes: 4096,
};

/** Splits `input` (fed in pieces of `pieceSize` bytes) into a fake sink. */
async function split(input: string | Buffer, options: Partial<SplitOptions> = {}, pieceSize = 3) {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const chunks: { seq: number; rows: ChunkRow[] }[] = [];
  const rejections: Rejection[] = [];
  let header: string[] | undefined;
  async function* source() {
    for (let i = 0; i < bytes.length; i += pieceSize) yield bytes.subarray(i, i + pieceSize);
  }
  const result = await splitCsv(
    source(),
    { ...OPTIONS, ...options },
    {
      header: async (h) => void (header = h),
      publishChunk: async (seq, rows) => void chunks.push({ seq, rows }),
      reject: async (batch) => void rejections.push(...batch),
      progress: () => undefined,
    },
  );
  return { result, chunks, rejections, header, rows: chunks.flatMap((c) => c.rows) };
}

describe('splitCsv', () => {
  it('reads BOM, CRLF, quoted commas, quotes, newlines and unicode with the right line numbers', async () => {
    const csv =
      '\ufeffSKU, Name ,description\r\n' +
      'a-1,"Widget, large","He said ""hi"""\r\n' +
      '\r\n' +
      '  b-2 ,"Two\r\nlines",Ünïcödé ✓\r\n' +
      'c-3,Third,\r\n';
    const { rows, header, result } = await split(csv);
    expect(header).toEqual(['SKU', 'Name', 'description']);
    expect(rows).toEqual([
      {
        line: 2,
        sku: 'a-1',
        name: 'Widget, large',
        description: 'He said "hi"',
        active: undefined,
      },
      { line: 4, sku: 'b-2', name: 'Two\r\nlines', description: 'Ünïcödé ✓', active: undefined },
      { line: 6, sku: 'c-3', name: 'Third', description: '', active: undefined },
    ]);
    expect(result).toMatchObject({ totalRows: 3, validRows: 3, rejected: 0, totalChunks: 2 });
  });

  it('rejects bad rows on their own, with line and reason, and keeps the good ones', async () => {
    const csv =
      'sku,name,active\n' +
      'ok-1,One,yes\n' +
      ',No sku,\n' +
      'x,,true\n' +
      'y,Bad active,maybe\n' +
      'z,Too,many,fields\n' +
      'w,"multi\nline",0\n' +
      'short\n' +
      'ok-2,Two,FALSE\n';
    const { rows, rejections, result } = await split(csv, { maxChunkRows: 10 });
    expect(rows.map((r) => [r.line, r.sku, r.active])).toEqual([
      [2, 'ok-1', true],
      [7, 'w', false],
      [10, 'ok-2', false],
    ]);
    expect(rejections.map((r) => [r.line, r.reason])).toEqual([
      [3, 'sku is empty'],
      [4, 'name is empty'],
      [5, 'active is "maybe"; use true/false, 1/0 or yes/no, or leave it blank'],
      [6, 'Expected 3 fields like the header, found 4'],
      [9, 'Expected 3 fields like the header, found 1'],
    ]);
    expect(rejections[3]!.fields).toEqual(['z', 'Too', 'many', 'fields']);
    expect(result).toMatchObject({ totalRows: 8, validRows: 3, rejected: 5, totalChunks: 1 });
  });

  it('caps chunks by encoded bytes as well as rows, and splits the same way every time', async () => {
    const body = Array.from({ length: 50 }, (_, i) => `s${i},${'n'.repeat(100)}`).join('\n');
    const run = () => split(`sku,name\n${body}\n`, { maxChunkRows: 1000, maxChunkBytes: 1024 }, 7);
    const first = await run();
    expect(first.chunks.length).toBeGreaterThan(5);
    for (const c of first.chunks) {
      expect(c.rows.reduce((n, r) => n + r.sku.length + r.name.length + 24, 0)).toBeLessThanOrEqual(
        1024,
      );
    }
    const again = await run();
    expect(again.chunks).toEqual(first.chunks);
    expect(first.chunks.map((c) => c.seq)).toEqual(first.chunks.map((_, i) => i));
  });

  it('warns about unknown columns and ignores them', async () => {
    const { rows, result } = await split('sku,name,colour,\nA,B,red,x\n');
    expect(rows).toEqual([{ line: 2, sku: 'A', name: 'B', description: '', active: undefined }]);
    expect(result.warnings).toEqual(['Ignored unknown columns: colour, (unnamed)']);
  });

  it.each([
    ['a missing required column', 'sku,description\nA,B\n', /lacks the required column name/],
    ['no header at all', '\n\n', /no header row/],
    ['a NUL byte', 'sku,name\nA,B\u0000\n', /not a UTF-8 CSV file: it contains a NUL byte/],
    [
      'invalid UTF-8',
      Buffer.from([0x73, 0x6b, 0x75, 0x2c, 0xff, 0xfe, 0x0a]),
      /not a UTF-8 CSV file/,
    ],
    ['a quote never closed', 'sku,name\nA,"B\n' + 'x'.repeat(5000), /quote never closed/],
  ])('fails the whole file for %s', async (_, input, message) => {
    const attempt = split(input as string | Buffer);
    await expect(attempt).rejects.toThrow(FileRejectedError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('publishes nothing when the header is wrong', async () => {
    const chunks: unknown[] = [];
    await expect(
      splitCsv(
        (async function* () {
          yield Buffer.from('name\nA\n');
        })(),
        OPTIONS,
        {
          header: async () => undefined,
          publishChunk: async (seq) => void chunks.push(seq),
          reject: async () => undefined,
          progress: () => undefined,
        },
      ),
    ).rejects.toThrow(/sku/);
    expect(chunks).toEqual([]);
  });

  it('keeps multi-byte characters split across reads intact', async () => {
    const { rows } = await split('sku,name\nK,日本語テキスト\n', {}, 1);
    expect(rows[0]!.name).toBe('日本語テキスト');
  });
});
