import type { Kysely } from '@pi/db';
import type { DispatcherDatabase } from '../db.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { WebhooksRepository } from './webhooks.repository.js';

export interface Repositories {
  webhooks: WebhooksRepository;
  deliveries: DeliveriesRepository;
}

export function createRepositories(db: Kysely<DispatcherDatabase>): Repositories {
  return { webhooks: new WebhooksRepository(db), deliveries: new DeliveriesRepository(db) };
}

export { DeliveriesRepository, WebhooksRepository };
export type { DueDelivery, LoggedAttempt } from './deliveries.repository.js';
