import { randomUUID } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import type { Logger } from 'pino';
import { AppError, conflict, invalid, notFound } from '@pi/service';
import { ObjectTooLargeError, type ObjectStore } from '@pi/storage';
import type { ImportRow } from '../db.js';
import type { IngestMetrics } from '../metrics.js';
import type { ChunkStream } from '../repositories/chunk-stream.js';
import type { EpochAllocator } from '../repositories/epochs.js';
import type { ImportsRepository } from '../repositories/imports.repository.js';
import type { RejectionsRepository } from '../repositories/rejections.repository.js';
import type { ImportEvents } from './import-events.js';
import { holdLease } from './lease.js';
import { ImportStoppedError, type RunningImports } from './running.js';

export interface ImportCommandsDeps {
  imports: ImportsRepository;
  rejections: RejectionsRepository;
  store: ObjectStore;
  epochs: EpochAllocator;
  events: ImportEvents;
  chunks: ChunkStream;
  running: RunningImports;
  logger: Logger;
  metrics: IngestMetrics;
  /** Wakes the split queue when an import is ready. */
  onQueued: () => void;
  owner: string;
  maxUploadBytes: number;
  leaseMs: number;
}

export interface UploadRequest {
  filename: string;
  sizeHint: number | undefined;
  data: AsyncIterable<Buffer>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REJECTIONS_PAGE = 1_000;

const sanitizeFilename = (name: string) =>
  name.replace(/[\\/]/g, '_').trim().slice(0, 255) || 'upload.csv';

/** Upload, cancel, retry and the rejections download: the commands of the import lifecycle. */
export class ImportCommands {
  constructor(private readonly d: ImportCommandsDeps) {}

  /**
   * Stores an upload and queues it for splitting. The import exists from the first byte (so the
   * user sees it at once); an empty body creates nothing.
   */
  async upload(req: UploadRequest): Promise<ImportRow> {
    const iterator = req.data[Symbol.asyncIterator]();
    const first = await firstNonEmpty(iterator);
    if (!first) throw invalid('The file is empty');
    const created = await this.create(req.filename, req.sizeHint);
    const signal = this.d.running.start(created.id);
    const releaseLease = holdLease(this.d, created.id, 'uploading');
    try {
      const { size } = await this.d.store.putStream(
        created.object_key,
        abortable(prepend(first, iterator), signal),
        { maxBytes: this.d.maxUploadBytes },
      );
      this.d.metrics.uploaded(size);
      const queued = await this.d.imports.finishUpload(created.id, size);
      if (!queued) return (await this.d.imports.get(created.id))!;
      this.d.onQueued();
      return queued;
    } catch (err) {
      throw await this.uploadFailed(created, err);
    } finally {
      releaseLease();
      this.d.running.finish(created.id);
    }
  }

  private async create(filename: string, sizeHint: number | undefined): Promise<ImportRow> {
    const id = randomUUID();
    const epoch = await this.d.epochs.allocate(id);
    const row = await this.d.imports.insert({
      id,
      filename: sanitizeFilename(filename),
      objectKey: `imports/${id}.csv`,
      epoch,
      state: 'uploading',
      sizeHint: sizeHint ?? null,
      sizeBytes: null,
      retryOf: null,
      header: null,
      leaseOwner: this.d.owner,
      leaseMs: this.d.leaseMs,
    });
    await this.d.events.created(row);
    return row;
  }

  /** Ends the import as failed and returns the error for the uploader. */
  private async uploadFailed(created: ImportRow, err: unknown): Promise<AppError> {
    const tooLarge = err instanceof ObjectTooLargeError;
    const stopped = err instanceof ImportStoppedError;
    const reason = tooLarge
      ? `The file is larger than the limit of ${this.d.maxUploadBytes} bytes`
      : stopped
        ? `The upload was stopped: ${(err as Error).message}`
        : 'The upload was interrupted before the whole file arrived';
    if (!tooLarge) this.d.logger.warn({ err, importId: created.id }, 'upload failed');
    // A no-op when a cancel ended the import first.
    await this.fail(created.id, reason).catch((e) =>
      this.d.logger.error({ err: e, importId: created.id }, 'cannot record a failed upload'),
    );
    if (stopped)
      return conflict(`The import was stopped during the upload: ${(err as Error).message}`);
    return tooLarge
      ? new AppError('too_large', reason, { limitBytes: this.d.maxUploadBytes })
      : invalid(reason);
  }

  /** Fails an unfinished import and announces it. */
  async fail(id: string, reason: string): Promise<ImportRow | undefined> {
    const ended = await this.d.imports.endIfOpen(id, 'failed', reason, false);
    if (ended) await this.announceEnd(ended);
    return ended;
  }

  /** Stops an unfinished import: no more splitting, its pending chunks are dropped. */
  async cancel(id: string): Promise<ImportRow> {
    const current = await this.find(id);
    const ended = await this.d.imports.endIfOpen(
      current.id,
      'cancelled',
      'Cancelled by a user',
      false,
    );
    if (!ended) {
      throw new AppError(
        'failed_precondition',
        `The import has already ${pastTense((await this.find(id)).state)}`,
      );
    }
    this.d.running.stop(id, 'cancelled');
    await this.announceEnd(ended);
    return ended;
  }

  /** A new import (new id and epoch) reading the stored file of a failed or cancelled one. */
  async retry(id: string): Promise<ImportRow> {
    const original = await this.find(id);
    if (original.state !== 'failed' && original.state !== 'cancelled') {
      throw new AppError(
        'failed_precondition',
        `Only a failed or cancelled import can be retried; this one is ${original.state}`,
      );
    }
    if (original.size_bytes === null) {
      throw new AppError(
        'failed_precondition',
        'The file of this import was never stored completely; upload it again',
      );
    }
    const newId = randomUUID();
    const row = await this.d.imports.insert({
      id: newId,
      filename: original.filename,
      objectKey: original.object_key,
      epoch: await this.d.epochs.allocate(newId),
      state: 'queued',
      sizeHint: original.size_bytes,
      sizeBytes: original.size_bytes,
      retryOf: original.id,
      header: null,
      leaseOwner: null,
      leaseMs: this.d.leaseMs,
    });
    await this.d.events.created(row);
    this.d.onQueued();
    return row;
  }

  /** The rejected rows as CSV: `line,reason,` then the file's own columns, in line order. */
  async *rejectionsCsv(id: string): AsyncGenerator<Buffer> {
    const i = await this.find(id);
    yield Buffer.from(stringify([['line', 'reason', ...(i.header ?? [])]]));
    for (let after = 0; ;) {
      const page = await this.d.rejections.page(i.id, after, REJECTIONS_PAGE);
      if (!page.length) return;
      yield Buffer.from(stringify(page.map((r) => [r.line, r.reason, ...r.fields])));
      after = page.at(-1)!.line;
    }
  }

  /** Drops pending chunks, then publishes the terminal event (republished later if this fails). */
  async announceEnd(ended: ImportRow): Promise<void> {
    if (ended.state !== 'completed') await this.purgeChunks(ended.id);
    await this.d.events.outcome(ended);
    await this.d.imports.markOutcomePublished(ended.id);
    this.d.metrics.ended(ended.state);
  }

  /** Best effort: a chunk that escapes the purge applies like one already in flight. */
  async purgeChunks(importId: string): Promise<void> {
    await this.d.chunks
      .purge(importId)
      .catch((err) => this.d.logger.warn({ err, importId }, 'cannot purge pending chunks'));
  }

  async find(id: string): Promise<ImportRow> {
    const row = UUID.test(id) ? await this.d.imports.get(id) : undefined;
    if (!row) throw notFound(`No import with id ${id}`);
    return row;
  }
}

function pastTense(state: ImportRow['state']): string {
  return state === 'completed' ? 'completed' : state === 'failed' ? 'failed' : 'been cancelled';
}

async function firstNonEmpty(it: AsyncIterator<Buffer>): Promise<Buffer | undefined> {
  for (let r = await it.next(); !r.done; r = await it.next()) {
    if (r.value.length) return r.value;
  }
  return undefined;
}

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

async function* abortable(source: AsyncIterable<Buffer>, signal: AbortSignal) {
  for await (const piece of source) {
    signal.throwIfAborted();
    yield piece;
  }
}
