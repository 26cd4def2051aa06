import { Counter, Gauge, type Registry } from 'prom-client';

/** Domain metrics of the projection: how events fold, and how many clients watch imports live. */
export function projectionMetrics(registry: Registry, watchers: () => number) {
  const folded = new Counter({
    name: 'gateway_projection_events_total',
    help: 'Import events folded into the progress projection; "unchanged" ones were duplicates',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'gateway_import_watchers',
    help: 'Open SSE streams and gRPC watches of imports on this gateway',
    registers: [registry],
    collect() {
      this.set(watchers());
    },
  });
  return {
    eventFolded: (changed: boolean) => folded.inc({ result: changed ? 'changed' : 'unchanged' }),
  };
}
export type ProjectionMetrics = ReturnType<typeof projectionMetrics>;
