import { listen, type PgListener } from '@pi/db';
import type { Logger } from '@pi/logger';
import { PROGRESS_CHANNEL } from './repository.js';

export type Wake = 'change' | 'timeout' | 'closed';

/** Changes of one import, as seen by one watcher. */
export interface ProgressSubscription {
  /** Resolves on a change since the last call (or a new one), after `timeoutMs`, or on close. */
  next(timeoutMs: number, signal?: AbortSignal): Promise<Wake>;
  close(): void;
}

/**
 * PostgreSQL LISTEN on the projection's channel, fanned out to the watchers of this process. Every
 * gateway replica listens, so a watcher hears about a change whichever replica wrote it. Watchers
 * also poll on their heartbeat, so a notification lost while reconnecting only delays an update.
 */
export class ProgressFeed {
  private readonly watchers = new Map<string, Set<{ notify(): void; close(): void }>>();
  private listener: PgListener | undefined;
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.listener = await listen({
      url: this.databaseUrl,
      channel: PROGRESS_CHANNEL,
      applicationName: 'gateway-progress-feed',
      logger: this.logger,
      onNotify: (importId) => {
        if (importId) this.watchers.get(importId)?.forEach((w) => w.notify());
      },
    });
  }

  watcherCount(): number {
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }

  subscribe(importId: string): ProgressSubscription {
    let pending = false;
    let wake: ((w: Wake) => void) | undefined;
    const watcher = {
      notify: () => {
        pending = true;
        wake?.('change');
      },
      close: () => wake?.('closed'),
    };
    const watchers = this.watchers.get(importId) ?? new Set();
    watchers.add(watcher);
    this.watchers.set(importId, watchers);
    return {
      next: (timeoutMs, signal) => {
        if (this.closed || signal?.aborted) return Promise.resolve('closed');
        if (pending) {
          pending = false;
          return Promise.resolve('change');
        }
        return new Promise<Wake>((resolve) => {
          const done = (w: Wake) => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            wake = undefined;
            pending = false;
            resolve(w);
          };
          const onAbort = () => done('closed');
          const timer = setTimeout(() => done('timeout'), timeoutMs);
          signal?.addEventListener('abort', onAbort, { once: true });
          wake = done;
        });
      },
      close: () => {
        watcher.close();
        watchers.delete(watcher);
        if (watchers.size === 0) this.watchers.delete(importId);
      },
    };
  }

  /** Ends every watch (their streams finish) and releases the listening connection. */
  async stop(): Promise<void> {
    this.closed = true;
    for (const set of this.watchers.values()) set.forEach((w) => w.close());
    await this.listener?.close();
  }
}
