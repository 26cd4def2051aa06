import { randomUUID } from 'node:crypto';
import { EventEnvelope } from '@pi/proto';

/** The payload union of an event envelope, keyed by its `$case`. */
export type EventPayload = NonNullable<EventEnvelope['payload']>;
export type PayloadCase = EventPayload['$case'];

/**
 * Every domain event type, mapped to its payload case. The type string is also the subject
 * suffix on the events stream: `<prefix>.events.<type>`.
 */
export const EVENT_TYPES = {
  'import.created': 'importCreated',
  'import.started': 'importStarted',
  'import.split_progress': 'importSplitProgress',
  'import.chunk_applied': 'importChunkApplied',
  'import.split_finished': 'importSplitFinished',
  'import.completed': 'importCompleted',
  'import.failed': 'importFailed',
  'import.cancelled': 'importCancelled',
  'product.created': 'productCreated',
  'product.updated': 'productUpdated',
  'product.deleted': 'productDeleted',
  'products.deleted_all': 'productsDeletedAll',
} as const satisfies Record<string, PayloadCase>;

export type EventType = keyof typeof EVENT_TYPES;

/** Event types a webhook can subscribe to (SPEC §5), with the line the dashboard shows. */
export const WEBHOOK_EVENT_TYPES = {
  'product.created': 'A product was added by hand or through the API.',
  'product.updated': 'A product was edited; carries the new and previous values.',
  'product.deleted': 'A product was deleted.',
  'products.deleted_all': 'Every product was deleted at once.',
  'import.completed': 'A CSV import finished; carries its counts.',
  'import.failed': 'A CSV import failed; carries the reason.',
} as const satisfies Partial<Record<EventType, string>>;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;

export const isWebhookEventType = (t: string): t is WebhookEventType =>
  Object.hasOwn(WEBHOOK_EVENT_TYPES, t);

/** Names of streams, subjects and durable consumers, all under one prefix. */
export function natsNames(prefix: string) {
  const upper = prefix.toUpperCase();
  return {
    chunksStream: `${upper}_CHUNKS`,
    eventsStream: `${upper}_EVENTS`,
    chunkSubject: (importId: string) => `${prefix}.chunks.${importId}`,
    chunkSubjects: `${prefix}.chunks.>`,
    eventSubject: (type: EventType) => `${prefix}.events.${type}`,
    eventSubjects: `${prefix}.events.>`,
    eventTypeFromSubject: (subject: string) => subject.slice(`${prefix}.events.`.length),
  };
}
export type NatsNames = ReturnType<typeof natsNames>;

type PayloadOf<T extends EventType> = Extract<
  EventPayload,
  { $case: (typeof EVENT_TYPES)[T] }
>['value'];

/** Builds an envelope whose payload case matches its type. */
export function newEvent<T extends EventType>(
  type: T,
  aggregateId: string,
  value: PayloadOf<T>,
  options: { id?: string; occurredAt?: Date } = {},
): EventEnvelope {
  return {
    id: options.id ?? randomUUID(),
    type,
    occurredAt: options.occurredAt ?? new Date(),
    aggregateId,
    payload: { $case: EVENT_TYPES[type], value } as EventPayload,
  };
}

export const encodeEvent = (e: EventEnvelope): Uint8Array => EventEnvelope.encode(e).finish();
export const decodeEvent = (bytes: Uint8Array): EventEnvelope => EventEnvelope.decode(bytes);

/** The JSON `data` of an event as webhooks see it: every field, dates as ISO strings. */
export function eventData(e: EventEnvelope): unknown {
  return e.payload ? JSON.parse(JSON.stringify(e.payload.value)) : {};
}
