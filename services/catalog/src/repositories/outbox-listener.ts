import { createPool } from '@pi/db';
import type { Logger } from '@pi/logger';
import type { OutboxWakeups } from '../services/outbox-relay.js';
import { OUTBOX_CHANNEL } from './outbox.repository.js';

/**
 * LISTENs on the outbox channel with a dedicated connection; reconnects after losing it (missed
 * notifications are covered by the relay's poll).
 */
export function listenForOutbox(databaseUrl: string, logger: Logger): OutboxWakeups {
  const pool = createPool({
    url: databaseUrl,
    poolMax: 1,
    applicationName: 'catalog-outbox-listen',
  });
  const listeners: (() => void)[] = [];
  let closed = false;
  /** Releases the listening connection once, whoever notices first (an error or close()). */
  let drop: ((err?: Error) => void) | undefined;
  let retry: NodeJS.Timeout | undefined;
  const reconnectLater = () => {
    if (!closed && !retry) retry = setTimeout(() => ((retry = undefined), void connect()), 1000);
  };

  const connect = async (): Promise<void> => {
    try {
      const client = await pool.connect();
      let released = false;
      const release = (err?: Error) => {
        if (released) return;
        released = true;
        if (drop === release) drop = undefined;
        client.release(err);
      };
      drop = release;
      client.on('notification', () => listeners.forEach((l) => l()));
      client.on('error', (err) => {
        if (!closed) logger.warn({ err }, 'outbox listener lost its connection; reconnecting');
        release(err);
        reconnectLater();
      });
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      if (!closed) logger.warn({ err }, 'outbox listener cannot connect; retrying');
      reconnectLater();
    }
  };
  void connect();

  return {
    onWake: (listener) => listeners.push(listener),
    close: async () => {
      closed = true;
      clearTimeout(retry);
      drop?.();
      await pool.end();
    },
  };
}
