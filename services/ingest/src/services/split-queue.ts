import type { Logger } from 'pino';
import type { Publisher } from '@pi/messaging';
import type { ObjectStore } from '@pi/storage';
import type { ImportRow } from '../db.js';
import type { IngestMetrics } from '../metrics.js';
import {
  FileRejectedError,
  splitCsv,
  type SplitOptions,
  type SplitProgress,
} from '../csv/splitter.js';
import type { ImportsRepository } from '../repositories/imports.repository.js';
import type { RejectionsRepository } from '../repositories/rejections.repository.js';
import type { ImportCommands } from './import-commands.js';
import type { ImportEvents } from './import-events.js';
import { holdLease } from './lease.js';
import type { Completion } from './completion.js';
import { ImportStoppedError, type RunningImports } from './running.js';

export interface SplitQueueDeps {
  imports: ImportsRepository;
  rejections: RejectionsRepository;
  store: ObjectStore;
  publisher: Publisher;
  events: ImportEvents;
  commands: ImportCommands;
  completion: Completion;
  running: RunningImports;
  logger: Logger;
  metrics: IngestMetrics;
  owner: string;
  leaseMs: number;
  pollMs: number;
  /** A split failing this many times in a row (not the file's fault) fails the import. */
  maxAttempts: number;
  split: Omit<SplitOptions, 'signal'>;
}

/**
 * Splits queued imports one at a time across every ingest replica, oldest epoch first. A split
 * holds a lease it renews while it runs; when a replica dies its lease expires and any replica
 * re-splits that import from the start (chunk ids are deterministic, so duplicates are harmless).
 */
export class SplitQueue {
  private stopping = false;
  private wake: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;

  constructor(private readonly d: SplitQueueDeps) {}

  start(): void {
    this.loopDone = this.loop();
  }

  /** Looks for work now instead of at the next poll. */
  kick(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.d.running.stopAll('ingest is shutting down');
    this.kick();
    await this.loopDone;
  }

  private async loop() {
    while (!this.stopping) {
      let worked = false;
      try {
        await this.sweep();
        const claimed = await this.d.imports.claimNextSplit(this.d.owner, this.d.leaseMs);
        if (claimed) worked = await this.run(claimed);
      } catch (err) {
        this.d.logger.error({ err }, 'split queue iteration failed');
      }
      if (!worked && !this.stopping) await this.sleep();
    }
  }

  private sleep() {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.d.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => (this.wake = undefined));
  }

  /** Nothing stays "processing" forever: dead uploads fail, unannounced outcomes go out. */
  private async sweep() {
    const abandoned = await this.d.imports.failAbandonedUploads(
      'The upload was interrupted: the ingest service receiving it stopped',
    );
    const unannounced = await this.d.imports.unpublishedOutcomes(this.d.leaseMs);
    for (const i of [...abandoned, ...unannounced]) await this.d.commands.announceEnd(i);
  }

  /** Returns false when the split should be retried after a pause. */
  private async run(i: ImportRow): Promise<boolean> {
    const log = this.d.logger.child({ importId: i.id });
    if (i.split_attempts > this.d.maxAttempts) {
      await this.d.commands.fail(
        i.id,
        `Splitting the file failed ${i.split_attempts - 1} times in a row`,
      );
      return true;
    }
    log.info({ attempt: i.split_attempts }, 'splitting');
    const signal = this.d.running.start(i.id);
    let progress: SplitProgress | undefined;
    const releaseLease = holdLease(this.d, i.id, 'splitting', () => progress);
    const startedAt = performance.now();
    try {
      await this.d.events.started(i);
      const result = await splitCsv(
        await this.d.store.getStream(i.object_key),
        { ...this.d.split, signal },
        {
          header: (fields) => this.d.imports.saveHeader(i.id, fields),
          publishChunk: (seq, rows) =>
            this.d.publisher.publishChunk({ importId: i.id, seq, epoch: i.epoch, rows }),
          reject: (batch) =>
            this.d.rejections.insertMany(batch.map((r) => ({ import_id: i.id, ...r }))),
          progress: (p) => {
            progress = p;
            this.d.events
              .progress(i.id, p)
              .catch((err) => log.warn({ err }, 'progress not published'));
          },
        },
      );
      const finished = await this.d.imports.finishSplit(i.id, this.d.owner, result);
      if (finished) {
        this.d.metrics.split(result, (performance.now() - startedAt) / 1000);
        await this.d.events.splitFinished(i.id, result);
        log.info({ ...result, header: undefined }, 'split finished');
        await this.d.completion.tryComplete(i.id);
      }
      return true;
    } catch (err) {
      return this.splitFailed(i, err, log);
    } finally {
      releaseLease();
      this.d.running.finish(i.id);
    }
  }

  private async splitFailed(i: ImportRow, err: unknown, log: Logger): Promise<boolean> {
    if (err instanceof FileRejectedError) {
      log.info({ reason: err.message }, 'file rejected');
      await this.d.commands.fail(i.id, err.message);
      return true;
    }
    if (err instanceof ImportStoppedError || (err as Error)?.name === 'AbortError') {
      // Cancelled or failed meanwhile: chunks published since the purge must go too.
      log.info({ reason: (err as Error).message }, 'split stopped');
      const current = await this.d.imports.get(i.id);
      if (current && current.state !== 'splitting') await this.d.commands.announceEnd(current);
      else await this.d.imports.releaseSplit(i.id, this.d.owner);
      return true;
    }
    log.error({ err }, 'split failed; it will be retried');
    await this.d.imports.releaseSplit(i.id, this.d.owner);
    return false;
  }
}
