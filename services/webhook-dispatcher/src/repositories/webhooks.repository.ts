import type { Kysely, Updateable } from '@pi/db';
import { sql } from '@pi/db';
import type { DispatcherDatabase, NewWebhook, WebhookRow, WebhooksTable } from '../db.js';

/** Webhook subscriptions; one query per method. */
export class WebhooksRepository {
  constructor(private readonly db: Kysely<DispatcherDatabase>) {}

  list(): Promise<WebhookRow[]> {
    return this.db.selectFrom('webhooks').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  get(id: string): Promise<WebhookRow | undefined> {
    return this.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  create(values: NewWebhook): Promise<WebhookRow> {
    return this.db.insertInto('webhooks').values(values).returningAll().executeTakeFirstOrThrow();
  }

  /** Applies a patch (and bumps updated_at); undefined when there is no such webhook. */
  update(id: string, patch: Updateable<WebhooksTable>): Promise<WebhookRow | undefined> {
    return this.db
      .updateTable('webhooks')
      .set({ ...patch, updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }
}
