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
  let current: { release(err?: Error): void } | undefined;

  const connect = async (): Promise<void> => {
    try {
      const client = await pool.connect();
      current = client;
      client.on('notification', () => listeners.forEach((l) => l()));
      client.once('error', (err) => {
        logger.warn({ err }, 'outbox listener lost its connection; reconnecting');
        current = undefined;
        client.release(err);
        if (!closed) setTimeout(() => void connect(), 1000);
      });
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      logger.warn({ err }, 'outbox listener cannot connect; retrying');
      if (!closed) setTimeout(() => void connect(), 1000);
    }
  };
  void connect();

  return {
    onWake: (listener) => listeners.push(listener),
    close: async () => {
      closed = true;
      current?.release();
      await pool.end();
    },
  };
}
