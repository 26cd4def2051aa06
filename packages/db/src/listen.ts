import type { Logger } from '@pi/logger';
import { createPool } from './index.js';

export interface PgListener {
  /** Stops listening and closes the connection. */
  close(): Promise<void>;
}

export interface ListenOptions {
  url: string;
  /** A plain identifier: it is written into the LISTEN statement. */
  channel: string;
  applicationName: string;
  logger: Logger;
  onNotify(payload: string | undefined): void;
  retryMs?: number;
}

/**
 * LISTEN on a channel over a connection of its own (LISTEN holds it for good), reconnecting after
 * losing it. Notifications sent while reconnecting are lost, so callers also poll. The connection is
 * released exactly once whoever notices first — its `error` event or `close()` — because PostgreSQL
 * going away during shutdown raises both. Resolves after the first attempt to listen.
 */
export async function listen(o: ListenOptions): Promise<PgListener> {
  if (!/^[a-z_][a-z0-9_]*$/.test(o.channel)) throw new Error(`invalid LISTEN channel ${o.channel}`);
  const pool = createPool({ url: o.url, poolMax: 1, applicationName: o.applicationName });
  const retryMs = o.retryMs ?? 1000;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let drop: ((err?: Error) => void) | undefined;

  const reconnectLater = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, retryMs);
  };

  const connect = async (): Promise<void> => {
    let release: ((err?: Error) => void) | undefined;
    try {
      const client = await pool.connect();
      let released = false;
      release = (err?: Error) => {
        if (released) return;
        released = true;
        if (drop === release) drop = undefined;
        client.release(err);
      };
      drop = release;
      client.on('notification', (n) => o.onNotify(n.payload));
      client.on('error', (err) => {
        if (!closed)
          o.logger.warn({ err, channel: o.channel }, 'lost the LISTEN connection; reconnecting');
        release?.(err);
        reconnectLater();
      });
      await client.query(`listen ${o.channel}`);
      if (closed) release();
    } catch (err) {
      release?.(err as Error);
      if (!closed) o.logger.warn({ err, channel: o.channel }, 'cannot LISTEN yet; retrying');
      reconnectLater();
    }
  };
  await connect();

  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      drop?.();
      await pool.end();
    },
  };
}
