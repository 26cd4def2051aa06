import type { Kysely } from '@pi/db';
import type { CatalogDatabase } from '../db.js';
import { OutboxRepository } from './outbox.repository.js';
import { ProductsRepository } from './products.repository.js';
import { SearchIndexRepository } from './search-index.repository.js';

/** The catalog's repositories over one connection or one transaction. */
export interface CatalogRepos {
  products: ProductsRepository;
  outbox: OutboxRepository;
  search: SearchIndexRepository;
}

/** Unit of work: `transaction` hands out repositories bound to a single transaction. */
export class CatalogStore {
  readonly repos: CatalogRepos;

  constructor(private readonly db: Kysely<CatalogDatabase>) {
    this.repos = reposOf(db);
  }

  transaction<T>(
    fn: (tx: CatalogRepos) => Promise<T>,
    isolation: 'read committed' | 'repeatable read' = 'read committed',
  ): Promise<T> {
    return this.db
      .transaction()
      .setIsolationLevel(isolation)
      .execute((trx) => fn(reposOf(trx)));
  }
}

const reposOf = (db: Kysely<CatalogDatabase>): CatalogRepos => ({
  products: new ProductsRepository(db),
  outbox: new OutboxRepository(db),
  search: new SearchIndexRepository(db),
});
