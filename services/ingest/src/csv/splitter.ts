import { parse, type CsvError } from 'csv-parse';
import type { ChunkRow } from '@pi/proto';
import { checkHeader, ignoredColumnsWarning, type HeaderLayout } from './header.js';
import { NotUtf8Error, strictUtf8 } from './utf8.js';
import { validateRow } from './validate.js';

/** A rejected data row: its first physical line, why, and its fields as written. */
export interface Rejection {
  line: number;
  reason: string;
  fields: string[];
}

export interface SplitProgress {
  bytesRead: number;
  rowsRead: number;
  rejected: number;
  chunksPublished: number;
}

export interface SplitSink {
  /** Called once, before any chunk, with the header row as written. */
  header(fields: string[]): Promise<void>;
  publishChunk(seq: number, rows: ChunkRow[]): Promise<void>;
  /** Rejections arrive in batches, in line order. */
  reject(rejections: Rejection[]): Promise<void>;
  progress(p: SplitProgress): void;
}

export interface SplitOptions {
  maxChunkRows: number;
  /** Cap of a chunk's encoded size (NATS refuses payloads over its max_payload). */
  maxChunkBytes: number;
  /** Chunk publishes awaiting their acknowledgement at once. */
  maxInFlight: number;
  /** Longest record accepted; a larger one almost always means a quote that is never closed. */
  maxRecordBytes: number;
  signal?: AbortSignal;
}

export interface SplitResult {
  header: string[];
  totalRows: number;
  validRows: number;
  rejected: number;
  totalChunks: number;
  warnings: string[];
}

/** A problem with the file as a whole: the import fails with this message, nothing more is read. */
export class FileRejectedError extends Error {
  override name = 'FileRejectedError';
}

/** Protobuf overhead of one row beyond its string bytes: tags, lengths, line, active. */
const ROW_OVERHEAD_BYTES = 24;
const REJECTION_BATCH = 500;
/** Progress events at most ~4 per second. */
const PROGRESS_INTERVAL_MS = 250;

const rowBytes = (r: ChunkRow) =>
  Buffer.byteLength(r.sku) +
  Buffer.byteLength(r.name) +
  Buffer.byteLength(r.description) +
  ROW_OVERHEAD_BYTES;

/** An empty or whitespace-only line: skipped, though it still counts for line numbers. */
const isBlank = (record: readonly string[]) => record.length === 1 && record[0]!.trim() === '';

function countNewlines(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) {
    for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) n++;
  }
  return n;
}

/**
 * Streams a CSV file into chunks of valid rows. Chunk boundaries depend only on the file and the
 * options, so splitting the same file again yields the same chunks (resume after a crash).
 */
export async function splitCsv(
  source: AsyncIterable<Uint8Array>,
  options: SplitOptions,
  sink: SplitSink,
): Promise<SplitResult> {
  const state = new SplitState(options, sink);
  let bytesRead = 0;
  const counted = (async function* () {
    for await (const piece of source) {
      bytesRead += piece.length;
      yield piece;
    }
  })();
  // Blank lines come through as records (and are skipped by SplitState) so line numbers can be
  // counted without csv-parse's `info`, which doubles its cost.
  const parser = parse({
    bom: true,
    relax_column_count: true,
    max_record_size: options.maxRecordBytes,
  });
  const feeding = feed(strictUtf8(counted), parser, options.signal);
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      options.signal?.throwIfAborted();
      const pending = state.accept(record, bytesRead);
      if (pending) await pending;
    }
    await feeding;
  } catch (err) {
    parser.destroy();
    await feeding.catch(() => undefined);
    throw translate(err, state.nextLine);
  }
  return state.finish(bytesRead);
}

/** Writes the source into the parser with backpressure; a source error destroys the parser. */
async function feed(
  source: AsyncIterable<Buffer>,
  parser: ReturnType<typeof parse>,
  signal: AbortSignal | undefined,
) {
  try {
    for await (const buf of source) {
      signal?.throwIfAborted();
      if (!parser.write(buf)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            parser.off('drain', done);
            parser.off('close', done);
            resolve();
          };
          parser.on('drain', done);
          parser.on('close', done);
        });
      }
      if (parser.destroyed) return;
    }
    parser.end();
  } catch (err) {
    parser.destroy(err as Error);
    throw err;
  }
}

function translate(err: unknown, line: number): unknown {
  if (err instanceof NotUtf8Error) {
    return new FileRejectedError(`This is not a UTF-8 CSV file: ${err.message}`);
  }
  const code = (err as CsvError | undefined)?.code;
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return new FileRejectedError(
      `Line ${line}: a record is longer than the largest valid row; is a quote never closed?`,
    );
  }
  if ((typeof code === 'string' && code.startsWith('CSV_')) || code === 'INVALID_OPENING_QUOTE') {
    return new FileRejectedError(`Malformed CSV near line ${line}: ${(err as Error).message}`);
  }
  return err;
}

/** The splitter's running state: line numbers, the chunk being filled, publishes in flight. */
class SplitState {
  /** Physical line where the next record starts. */
  nextLine = 1;
  private layout: HeaderLayout | undefined;
  private header: string[] = [];
  private rows: ChunkRow[] = [];
  private chunkBytes = 0;
  private rejections: Rejection[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private totals = { totalRows: 0, validRows: 0, rejected: 0, chunks: 0 };
  private lastProgressAt = 0;

  constructor(
    private readonly options: SplitOptions,
    private readonly sink: SplitSink,
  ) {}

  /** Takes one record; returns a promise only when it had to wait (a publish or a write). */
  accept(record: string[], bytesRead: number): Promise<void> | undefined {
    const line = this.nextLine;
    this.nextLine = line + countNewlines(record) + 1;
    if (isBlank(record)) return undefined;
    if (!this.layout) return this.acceptHeader(record);
    this.totals.totalRows++;
    this.reportProgress(bytesRead, false);
    const check = validateRow(record, this.layout, line);
    if (check.ok) {
      this.totals.validRows++;
      return this.addRow(check.row);
    }
    this.totals.rejected++;
    this.rejections.push({ line, reason: check.reason, fields: record });
    return this.rejections.length >= REJECTION_BATCH ? this.flushRejections() : undefined;
  }

  private async acceptHeader(record: string[]) {
    const check = checkHeader(record);
    if (!check.ok) throw new FileRejectedError(check.reason);
    this.layout = check.layout;
    this.header = record.map((f) => f.trim());
    await this.sink.header(this.header);
  }

  private addRow(row: ChunkRow): Promise<void> | undefined {
    const size = rowBytes(row);
    if (this.rows.length && this.chunkBytes + size > this.options.maxChunkBytes) {
      return this.flushChunk().then(() => this.addRow(row));
    }
    this.rows.push(row);
    this.chunkBytes += size;
    return this.rows.length >= this.options.maxChunkRows ? this.flushChunk() : undefined;
  }

  private async flushChunk() {
    const rows = this.rows;
    const seq = this.totals.chunks++;
    this.rows = [];
    this.chunkBytes = 0;
    const p = this.sink.publishChunk(seq, rows).catch((err) => {
      this.failure ??= err;
    });
    const tracked = p.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    while (this.inFlight.size >= this.options.maxInFlight) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private async flushRejections() {
    if (!this.rejections.length) return;
    const batch = this.rejections;
    this.rejections = [];
    await this.sink.reject(batch);
  }

  private reportProgress(bytesRead: number, force: boolean) {
    const now = Date.now();
    if (!force && now - this.lastProgressAt < PROGRESS_INTERVAL_MS) return;
    this.lastProgressAt = now;
    this.sink.progress({
      bytesRead,
      rowsRead: this.totals.totalRows,
      rejected: this.totals.rejected,
      chunksPublished: this.totals.chunks - this.inFlight.size,
    });
  }

  async finish(bytesRead: number): Promise<SplitResult> {
    if (!this.layout) {
      throw new FileRejectedError(
        'The file has no header row; the first line must name the columns, e.g. sku,name,description',
      );
    }
    if (this.rows.length) await this.flushChunk();
    await this.flushRejections();
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
    this.reportProgress(bytesRead, true);
    const warning = ignoredColumnsWarning(this.layout);
    return {
      header: this.header,
      totalRows: this.totals.totalRows,
      validRows: this.totals.validRows,
      rejected: this.totals.rejected,
      totalChunks: this.totals.chunks,
      warnings: warning ? [warning] : [],
    };
  }
}
