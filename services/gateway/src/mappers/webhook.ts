import type {
  DeliveryDto,
  DeliveryStatus as DeliveryStatusDto,
  EventTypeDto,
  WebhookDto,
  WebhookTestResultDto,
} from '@pi/api';
import {
  DeliveryStatus,
  type CreateWebhookRequest,
  type DeliveryAttempt,
  type EventType,
  type TestWebhookResponse,
  type UpdateWebhookRequest,
  type Webhook,
} from '@pi/proto';
import { AppError, invalid } from '@pi/service';

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

function required<T>(value: T | undefined, what: string): T {
  // A missing field is a contract mismatch between services, not bad user input.
  if (value === undefined) throw new AppError('internal', `The webhook service sent no ${what}`);
  return value;
}

/** A webhook as the REST API shows it; `secret` only when the service sent it (create, rotate). */
export function toWebhookDto(w: Webhook): WebhookDto {
  return {
    id: w.id,
    url: w.url,
    events: [...w.events],
    enabled: w.enabled,
    description: w.description,
    createdAt: required(w.createdAt, 'creation time').toISOString(),
    updatedAt: required(w.updatedAt, 'update time').toISOString(),
    lastStatusCode: w.lastStatusCode ?? null,
    lastDeliveryAt: iso(w.lastDeliveryAt),
    consecutiveFailures: w.consecutiveFailures,
    ...(w.secret ? { secret: w.secret } : {}),
  };
}

const STATUS: Record<DeliveryStatus, DeliveryStatusDto | undefined> = {
  [DeliveryStatus.DELIVERY_STATUS_PENDING]: 'pending',
  [DeliveryStatus.DELIVERY_STATUS_SUCCEEDED]: 'succeeded',
  [DeliveryStatus.DELIVERY_STATUS_FAILED]: 'failed',
  [DeliveryStatus.DELIVERY_STATUS_EXHAUSTED]: 'exhausted',
  [DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED]: undefined,
  [DeliveryStatus.UNRECOGNIZED]: undefined,
};

export function toDeliveryDto(a: DeliveryAttempt): DeliveryDto {
  return {
    id: a.id,
    webhookId: a.webhookId,
    deliveryId: a.deliveryId,
    eventId: a.eventId,
    eventType: a.eventType,
    attempt: a.attempt,
    status: required(STATUS[a.status], 'delivery status'),
    statusCode: a.statusCode ?? null,
    durationMs: a.durationMs,
    error: a.error ?? null,
    responseExcerpt: a.responseExcerpt ?? null,
    createdAt: required(a.createdAt, 'attempt time').toISOString(),
    nextAttemptAt: iso(a.nextAttemptAt),
  };
}

export function toTestResultDto(r: TestWebhookResponse): WebhookTestResultDto {
  return {
    ok: r.ok,
    statusCode: r.statusCode ?? null,
    durationMs: r.durationMs,
    error: r.error ?? null,
  };
}

export const toEventTypeDto = (t: EventType): EventTypeDto => ({
  name: t.name,
  description: t.description,
});

type Body = Record<string, unknown>;

function asBody(value: unknown): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('The request body must be a JSON object');
  }
  return value as Body;
}

function optionalOf<T>(body: Body, field: string, type: string, check: (v: unknown) => boolean) {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!check(value)) throw invalid(`${field} must be ${type}`, { field });
  return value as T;
}

const isString = (v: unknown) => typeof v === 'string';
const isBoolean = (v: unknown) => typeof v === 'boolean';
const isStringList = (v: unknown) => Array.isArray(v) && v.every(isString);

/**
 * The JSON shapes of WebhookInput/WebhookPatch, checked for types only; the webhook service
 * decides what values are acceptable.
 */
function readInput(raw: unknown) {
  const body = asBody(raw);
  return {
    url: optionalOf<string>(body, 'url', 'a string', isString),
    events: optionalOf<string[]>(body, 'events', 'a list of event type names', isStringList),
    enabled: optionalOf<boolean>(body, 'enabled', 'true or false', isBoolean),
    description: optionalOf<string>(body, 'description', 'a string', isString),
  };
}

export function toCreateRequest(raw: unknown): CreateWebhookRequest {
  const input = readInput(raw);
  return {
    url: input.url ?? '',
    events: input.events ?? [],
    enabled: input.enabled,
    description: input.description ?? '',
  };
}

export function toUpdateRequest(id: string, raw: unknown): UpdateWebhookRequest {
  const input = readInput(raw);
  return {
    id,
    url: input.url,
    events: input.events ?? [],
    updateEvents: input.events !== undefined,
    enabled: input.enabled,
    description: input.description,
  };
}
