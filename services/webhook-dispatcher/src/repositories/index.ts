import type { Kysely } from '@pi/db';
import type { DispatcherDatabase } from '../db.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { WebhooksRepository } from './webhooks.repository.js';

export interface Repositories {
  webhooks: WebhooksRepository;
  deliveries: DeliveriesRepository;
  /** Runs `fn` with repositories bound to one transaction. */
  transaction<T>(fn: (repos: Omit<Repositories, 'transaction'>) => Promise<T>): Promise<T>;
}

export function createRepositories(db: Kysely<DispatcherDatabase>): Repositories {
  const bind = (d: Kysely<DispatcherDatabase>) => ({
    webhooks: new WebhooksRepository(d),
    deliveries: new DeliveriesRepository(d),
  });
  return {
    ...bind(db),
    transaction: (fn) => db.transaction().execute((trx) => fn(bind(trx))),
  };
}

export { DeliveriesRepository, WebhooksRepository };
export type { DueDelivery, LoggedAttempt } from './deliveries.repository.js';
