import { Counter, Gauge, type Registry } from 'prom-client';
import type { CatalogStore } from '../repositories/catalog-store.js';

/** Domain metrics of the product side: events leaving the outbox, and search lagging behind. */
export function productMetrics(registry: Registry, store: CatalogStore) {
  const published = new Counter({
    name: 'catalog_outbox_published_total',
    help: 'Product events the outbox relay published to JetStream',
    registers: [registry],
  });
  new Gauge({
    name: 'catalog_search_backlog',
    help: 'Product writes not yet folded into the search index (searches check them directly)',
    registers: [registry],
    async collect() {
      this.set((await store.repos.search.backlogState()).span);
    },
  });
  return { published };
}
