import type { createPool } from '@pi/db';
import type { Logger } from '@pi/logger';
import { PROGRESS_CHANNEL } from './repository.js';

type Pool = ReturnType<typeof createPool>;
/** pg's PoolClient, named through the pool so the gateway needs no direct pg dependency. */
type PoolClient = NonNullable<Parameters<Parameters<Pool['connect']>[0]>[1]>;

export type Wake = 'change' | 'timeout' | 'closed';

/** Changes of one import, as seen by one watcher. */
export interface ProgressSubscription {
  /** Resolves on a change since the last call (or a new one), after `timeoutMs`, or on close. */
  next(timeoutMs: number, signal?: AbortSignal): Promise<Wake>;
  close(): void;
}

const RECONNECT_MS = 1000;

/**
 * PostgreSQL LISTEN on the projection's channel, fanned out to the watchers of this process. Every
 * gateway replica listens, so a watcher hears about a change whichever replica wrote it. Watchers
 * also poll on their heartbeat, so a notification lost while reconnecting only delays an update.
 */
export class ProgressFeed {
  private readonly watchers = new Map<string, Set<{ notify(): void; close(): void }>>();
  /** The listening connection and the one way to release it (it may also fail on its own). */
  private listener: { client: PoolClient; drop(err?: Error): void } | undefined;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const client = await this.pool.connect();
    let released = false;
    const drop = (err?: Error) => {
      if (released) return;
      released = true;
      client.release(err);
      if (this.listener?.client === client) this.listener = undefined;
    };
    client.on('notification', (n) => {
      if (n.payload) this.watchers.get(n.payload)?.forEach((w) => w.notify());
    });
    client.on('error', (err) => {
      this.logger.warn({ err }, 'progress notifications interrupted; reconnecting');
      drop(err);
      this.scheduleReconnect();
    });
    try {
      await client.query(`listen ${PROGRESS_CHANNEL}`);
    } catch (err) {
      drop(err as Error);
      throw err;
    }
    this.listener = { client, drop };
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
    clearTimeout(this.reconnectTimer);
    for (const set of this.watchers.values()) set.forEach((w) => w.close());
    this.listener?.drop();
    await this.pool.end();
  }

  private scheduleReconnect() {
    // One attempt at a time: a failed LISTEN can both reject and emit 'error'.
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.start().catch((err: Error) => {
        this.logger.warn({ err }, 'cannot listen for progress notifications yet');
        this.scheduleReconnect();
      });
    }, RECONNECT_MS);
  }
}
