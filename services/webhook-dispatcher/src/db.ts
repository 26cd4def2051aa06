import type { Generated, Insertable, Selectable } from '@pi/db';

export interface WebhooksTable {
  id: Generated<string>;
  url: string;
  events: string[];
  enabled: boolean;
  description: string;
  secret: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  last_status_code: number | null;
  last_delivery_at: Date | null;
  consecutive_failures: Generated<number>;
}

export type DeliveryState = 'pending' | 'succeeded' | 'exhausted';

/** One event to deliver to one webhook; its id is the `webhook-id` header of every attempt. */
export interface DeliveriesTable {
  id: Generated<string>;
  webhook_id: string;
  event_id: string;
  event_type: string;
  /** The exact JSON body, so every attempt sends (and signs) the same bytes. */
  body: string;
  state: DeliveryState;
  attempts: Generated<number>;
  /** When the next attempt is due; also the lease of a claimed delivery. Null once finished. */
  next_attempt_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type AttemptOutcome = 'succeeded' | 'failed' | 'exhausted';

export interface DeliveryAttemptsTable {
  /** bigint; @pi/db reads int8 as a JS number. */
  id: Generated<number>;
  delivery_id: string;
  webhook_id: string;
  attempt: number;
  outcome: AttemptOutcome;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_excerpt: string | null;
  created_at: Generated<Date>;
  next_attempt_at: Date | null;
}

export interface DispatcherDatabase {
  webhooks: WebhooksTable;
  webhook_deliveries: DeliveriesTable;
  webhook_delivery_attempts: DeliveryAttemptsTable;
}

export type WebhookRow = Selectable<WebhooksTable>;
export type NewWebhook = Insertable<WebhooksTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type AttemptRow = Selectable<DeliveryAttemptsTable>;
