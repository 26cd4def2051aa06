import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface DispatcherMetrics {
  attempts: Counter<'result'>;
  attemptDuration: Histogram<'result'>;
}

/**
 * Domain metrics on the service's registry: attempts by result (`failed` = a retry is scheduled),
 * attempt latency, and the pending queue read from PostgreSQL at scrape time (so every replica
 * reports the shared queue).
 */
export function createDispatcherMetrics(
  registry: Registry,
  countPending: () => Promise<number>,
): DispatcherMetrics {
  new Gauge({
    name: 'webhook_queue_depth',
    help: 'Deliveries waiting to be sent or retried',
    registers: [registry],
    async collect() {
      this.set(await countPending());
    },
  });
  return {
    attempts: new Counter({
      name: 'webhook_deliveries_total',
      help: 'Delivery attempts by result: succeeded, failed (will retry) or exhausted',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'webhook_attempt_duration_seconds',
      help: 'Latency of one delivery attempt, from DNS resolution to the response',
      labelNames: ['result'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
