import { randomUUID } from 'node:crypto';
import { WEBHOOK_EVENT_TYPES } from '@pi/contracts';
import { conflict, invalid, notFound } from '@pi/service';
import type { WebhookRow } from '../db.js';
import type { AddressPolicy } from '../domain/address-policy.js';
import { newSecret } from '../domain/signing.js';
import {
  isUuid,
  validDescription,
  validEnabled,
  validEvents,
  validUrl,
} from '../domain/validation.js';
import { RefusedDestinationError, resolveDestination, type Resolver } from '../delivery/guard.js';
import type { WebhookSender } from '../delivery/sender.js';
import type { LoggedAttempt, Repositories } from '../repositories/index.js';
import type { DeliveryAttempter } from './attempts.js';
import { webhookBody } from './fanout.js';

export interface WebhookInput {
  url?: unknown;
  events?: unknown;
  enabled?: unknown;
  description?: unknown;
}

export interface TestResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/** The type of the event `test` sends; never delivered from the stream and not subscribable. */
export const TEST_EVENT_TYPE = 'webhook.test';

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/** Webhook subscriptions and their delivery log: the rules behind the gRPC API. */
export class WebhooksService {
  constructor(
    private readonly deps: {
      repos: Repositories;
      sender: WebhookSender;
      attempter: DeliveryAttempter;
      policy: AddressPolicy;
      resolve?: Resolver;
    },
  ) {}

  listEventTypes(): { name: string; description: string }[] {
    return Object.entries(WEBHOOK_EVENT_TYPES).map(([name, description]) => ({
      name,
      description,
    }));
  }

  list(): Promise<WebhookRow[]> {
    return this.deps.repos.webhooks.list();
  }

  async get(id: string): Promise<WebhookRow> {
    const row = isUuid(id) ? await this.deps.repos.webhooks.get(id) : undefined;
    if (!row) throw notFound(`No webhook ${id}`);
    return row;
  }

  async create(input: WebhookInput): Promise<WebhookRow> {
    const url = validUrl(input.url);
    const events = validEvents(input.events);
    const enabled = input.enabled === undefined ? true : validEnabled(input.enabled);
    const description = input.description === undefined ? '' : validDescription(input.description);
    await this.checkDestination(url);
    return this.deps.repos.webhooks.create({
      url: url.toString(),
      events,
      enabled,
      description,
      secret: newSecret(),
      last_status_code: null,
      last_delivery_at: null,
    });
  }

  /** Changes only the fields given. */
  async update(id: string, patch: WebhookInput): Promise<WebhookRow> {
    await this.get(id);
    const url = patch.url === undefined ? undefined : validUrl(patch.url);
    if (url) await this.checkDestination(url);
    const row = await this.deps.repos.webhooks.update(id, {
      ...(url ? { url: url.toString() } : {}),
      ...(patch.events === undefined ? {} : { events: validEvents(patch.events) }),
      ...(patch.enabled === undefined ? {} : { enabled: validEnabled(patch.enabled) }),
      ...(patch.description === undefined
        ? {}
        : { description: validDescription(patch.description) }),
    });
    if (!row) throw notFound(`No webhook ${id}`);
    return row;
  }

  async delete(id: string): Promise<void> {
    if (!isUuid(id) || !(await this.deps.repos.webhooks.delete(id))) {
      throw notFound(`No webhook ${id}`);
    }
  }

  /** A new secret; the old one stops signing at once. */
  async rotateSecret(id: string): Promise<WebhookRow> {
    await this.get(id);
    const row = await this.deps.repos.webhooks.update(id, { secret: newSecret() });
    if (!row) throw notFound(`No webhook ${id}`);
    return row;
  }

  /** Sends a signed `webhook.test` event now, under the same timeout and address rules. */
  async test(id: string): Promise<TestResult> {
    const webhook = await this.get(id);
    const body = webhookBody(TEST_EVENT_TYPE, new Date(), {
      webhookId: webhook.id,
      message: 'A test event from Product Importer.',
    });
    const r = await this.deps.sender.send({
      url: webhook.url,
      secret: webhook.secret,
      messageId: `test_${randomUUID()}`,
      body,
    });
    const ok = r.statusCode !== null && r.statusCode >= 200 && r.statusCode < 300;
    return {
      ok,
      statusCode: r.statusCode,
      durationMs: r.durationMs,
      error: r.error ?? (ok ? null : `The endpoint answered ${r.statusCode}`),
    };
  }

  /** Attempts newest first; `cursor` is the id of the last attempt of the previous page. */
  async listDeliveries(
    id: string,
    page: { limit?: number; cursor?: string },
  ): Promise<{ items: LoggedAttempt[]; nextCursor: string | null }> {
    await this.get(id);
    const limit = page.limit || DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw invalid(`limit must be a whole number from 1 to ${MAX_PAGE}`, { field: 'limit' });
    }
    if (page.cursor && !/^\d{1,15}$/.test(page.cursor)) {
      throw invalid('cursor is not one this API returned', { field: 'cursor' });
    }
    const before = page.cursor ? Number(page.cursor) : undefined;
    const items = await this.deps.repos.deliveries.listAttempts(id, limit, before);
    return {
      items,
      nextCursor: items.length === limit ? String(items[items.length - 1]!.id) : null,
    };
  }

  /** Sends a finished (delivered or exhausted) delivery once more, now. */
  async redeliver(webhookId: string, deliveryId: string): Promise<LoggedAttempt> {
    await this.get(webhookId);
    const delivery = isUuid(deliveryId)
      ? await this.deps.repos.deliveries.getForWebhook(webhookId, deliveryId)
      : undefined;
    if (!delivery) throw notFound(`No delivery ${deliveryId} for webhook ${webhookId}`);
    if (delivery.state === 'pending') {
      throw conflict(
        `Delivery ${deliveryId} is still queued; its next attempt is due at ${delivery.next_attempt_at?.toISOString()}`,
      );
    }
    const record = await this.deps.attempter.attempt(delivery, 'manual');
    if (!record) throw notFound(`No delivery ${deliveryId} for webhook ${webhookId}`);
    return record;
  }

  /**
   * Refuses a URL whose host resolves to an address the policy forbids. A name that does not
   * resolve yet is accepted: the same check runs again before every request.
   */
  private async checkDestination(url: URL): Promise<void> {
    try {
      await resolveDestination(url, this.deps.policy, this.deps.resolve);
    } catch (err) {
      if (err instanceof RefusedDestinationError) {
        throw invalid(`url is not allowed: ${err.message}`, { field: 'url' });
      }
    }
  }
}
