import { eventData, type WebhookEventType } from '@pi/contracts';
import type { EventHandler } from '@pi/messaging';
import type { EventEnvelope } from '@pi/proto';
import type { DeliveriesRepository } from '../repositories/index.js';

/** The JSON body every subscriber of an event receives (Standard Webhooks: type, timestamp, data). */
export function webhookBody(type: string, occurredAt: Date, data: unknown): string {
  return JSON.stringify({ type, timestamp: occurredAt.toISOString(), data });
}

/**
 * Handlers of the dispatcher's event consumer: each event becomes one pending delivery per enabled
 * subscribed webhook, in one statement that a redelivered event repeats harmlessly.
 */
export function fanOutHandlers(
  deliveries: DeliveriesRepository,
  eventTypes: readonly WebhookEventType[],
  onQueued: () => void,
): Record<WebhookEventType, EventHandler> {
  const handle = async (event: EventEnvelope) => {
    const body = webhookBody(event.type, event.occurredAt ?? new Date(), eventData(event));
    const added = await deliveries.fanOut({ id: event.id, type: event.type, body });
    if (added > 0) onQueued();
  };
  const handlers = {} as Record<WebhookEventType, EventHandler>;
  for (const type of eventTypes) handlers[type] = handle;
  return handlers;
}
