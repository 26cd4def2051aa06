import { listen } from '@pi/db';
import type { Logger } from '@pi/logger';
import type { OutboxWakeups } from '../services/outbox-relay.js';
import { OUTBOX_CHANNEL } from './outbox.repository.js';

/** Wakes the outbox relay on each NOTIFY (missed notifications are covered by the relay's poll). */
export async function listenForOutbox(databaseUrl: string, logger: Logger): Promise<OutboxWakeups> {
  const listeners: (() => void)[] = [];
  const listener = await listen({
    url: databaseUrl,
    channel: OUTBOX_CHANNEL,
    applicationName: 'catalog-outbox-listen',
    logger,
    onNotify: () => listeners.forEach((l) => l()),
  });
  return {
    onWake: (l) => listeners.push(l),
    close: () => listener.close(),
  };
}
