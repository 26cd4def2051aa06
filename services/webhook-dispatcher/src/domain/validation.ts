import { WEBHOOK_EVENT_TYPES, isWebhookEventType } from '@pi/contracts';
import { invalid } from '@pi/service';

const MAX_URL_LENGTH = 2048;
const MAX_DESCRIPTION_LENGTH = 1000;

/** An absolute http(s) URL, or a 400 naming the field. */
export function validUrl(value: unknown): URL {
  if (typeof value !== 'string' || !value.trim()) {
    throw invalid('url is required: an absolute http(s) URL', { field: 'url' });
  }
  const text = value.trim();
  if (text.length > MAX_URL_LENGTH) {
    throw invalid(`url must be at most ${MAX_URL_LENGTH} characters`, { field: 'url' });
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`url "${text}" is not an absolute URL`, { field: 'url' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`url must use http or https, not ${url.protocol.slice(0, -1)}`, {
      field: 'url',
    });
  }
  return url;
}

/** At least one known event type; duplicates dropped, order kept. */
export function validEvents(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalid('events must list at least one event type', {
      field: 'events',
      allowed: Object.keys(WEBHOOK_EVENT_TYPES),
    });
  }
  const unknown = value.filter((t) => typeof t !== 'string' || !isWebhookEventType(t));
  if (unknown.length) {
    throw invalid(`events has unknown event types: ${unknown.map(String).join(', ')}`, {
      field: 'events',
      allowed: Object.keys(WEBHOOK_EVENT_TYPES),
    });
  }
  return [...new Set(value as string[])];
}

export function validDescription(value: unknown): string {
  if (typeof value !== 'string')
    throw invalid('description must be text', { field: 'description' });
  if (value.length > MAX_DESCRIPTION_LENGTH) {
    throw invalid(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters`, {
      field: 'description',
    });
  }
  return value.trim();
}

export function validEnabled(value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw invalid('enabled must be true or false', { field: 'enabled' });
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else cannot name a row (the caller answers 404). */
export const isUuid = (id: string) => UUID.test(id);
