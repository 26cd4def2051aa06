import type { Logger } from 'pino';
import type { DeliveriesRepository } from '../repositories/index.js';

/**
 * Deletes delivery-log rows older than the retention, now and then. Pending deliveries are kept
 * whatever their age: they are still work to do.
 */
export function startLogPruner(o: {
  deliveries: DeliveriesRepository;
  retentionMs: number;
  logger: Logger;
}): { stop(): void } {
  // Often enough to keep the tables near the retention, rarely enough to cost nothing.
  const everyMs = Math.min(3_600_000, Math.max(1_000, Math.round(o.retentionMs / 10)));
  const prune = async () => {
    const before = new Date(Date.now() - o.retentionMs);
    try {
      const attempts = await o.deliveries.pruneAttempts(before);
      const deliveries = await o.deliveries.pruneFinished(before);
      if (attempts || deliveries) o.logger.info({ attempts, deliveries }, 'pruned webhook log');
    } catch (err) {
      o.logger.warn({ err }, 'could not prune the webhook log; will try again');
    }
  };
  const timer = setInterval(() => void prune(), everyMs);
  void prune();
  return { stop: () => clearInterval(timer) };
}
