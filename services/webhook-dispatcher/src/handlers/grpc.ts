import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import {
  DeliveryStatus,
  type DeliveryAttempt,
  type Webhook,
  type WebhookServiceServer,
} from '@pi/proto';
import { toGrpcError } from '@pi/service';
import type { Logger } from 'pino';
import type { AttemptOutcome, WebhookRow } from '../db.js';
import type { LoggedAttempt } from '../repositories/index.js';
import type { WebhooksService } from '../services/webhooks.service.js';

const STATUS_OF: Record<AttemptOutcome, DeliveryStatus> = {
  succeeded: DeliveryStatus.DELIVERY_STATUS_SUCCEEDED,
  failed: DeliveryStatus.DELIVERY_STATUS_FAILED,
  exhausted: DeliveryStatus.DELIVERY_STATUS_EXHAUSTED,
};

/** The secret leaves the service only on create and rotate. */
function toWebhook(row: WebhookRow, withSecret = false): Webhook {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    enabled: row.enabled,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    secret: withSecret ? row.secret : undefined,
    lastStatusCode: row.last_status_code ?? undefined,
    lastDeliveryAt: row.last_delivery_at ?? undefined,
    consecutiveFailures: row.consecutive_failures,
  };
}

function toLoggedAttempt(a: LoggedAttempt): DeliveryAttempt {
  return {
    id: String(a.id),
    webhookId: a.webhook_id,
    deliveryId: a.delivery_id,
    eventId: a.event_id,
    eventType: a.event_type,
    attempt: a.attempt,
    status: STATUS_OF[a.outcome],
    statusCode: a.status_code ?? undefined,
    durationMs: a.duration_ms,
    error: a.error ?? undefined,
    responseExcerpt: a.response_excerpt ?? undefined,
    createdAt: a.created_at,
    nextAttemptAt: a.next_attempt_at ?? undefined,
  };
}

/** Wraps a handler so every failure maps to a gRPC status in one place. */
function unary<Req, Res>(
  logger: Logger,
  fn: (req: Req) => Promise<Res>,
): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (err: unknown) => {
        if ((err as Error)?.name !== 'AppError') logger.error({ err }, 'webhook RPC failed');
        callback(toGrpcError(err));
      },
    );
  };
}

/** The dispatcher's `WebhookService`: thin translations to and from the service layer. */
export function webhookGrpcHandlers(
  service: WebhooksService,
  logger: Logger,
): WebhookServiceServer {
  return {
    listEventTypes: unary(logger, async () => ({ eventTypes: service.listEventTypes() })),
    listWebhooks: unary(logger, async () => ({
      webhooks: (await service.list()).map((w) => toWebhook(w)),
    })),
    getWebhook: unary(logger, async (req) => ({ webhook: toWebhook(await service.get(req.id)) })),
    createWebhook: unary(logger, async (req) => ({
      webhook: toWebhook(
        await service.create({
          url: req.url,
          events: req.events,
          enabled: req.enabled,
          description: req.description,
        }),
        true,
      ),
    })),
    updateWebhook: unary(logger, async (req) => ({
      webhook: toWebhook(
        await service.update(req.id, {
          url: req.url,
          events: req.updateEvents ? req.events : undefined,
          enabled: req.enabled,
          description: req.description,
        }),
      ),
    })),
    deleteWebhook: unary(logger, async (req) => {
      await service.delete(req.id);
      return {};
    }),
    rotateWebhookSecret: unary(logger, async (req) => ({
      webhook: toWebhook(await service.rotateSecret(req.id), true),
    })),
    testWebhook: unary(logger, async (req) => {
      const r = await service.test(req.id);
      return {
        ok: r.ok,
        statusCode: r.statusCode ?? undefined,
        durationMs: r.durationMs,
        error: r.error ?? undefined,
      };
    }),
    listDeliveries: unary(logger, async (req) => {
      const page = await service.listDeliveries(req.webhookId, {
        limit: req.limit,
        cursor: req.cursor,
      });
      return { deliveries: page.items.map(toLoggedAttempt), nextCursor: page.nextCursor ?? '' };
    }),
    redeliver: unary(logger, async (req) => ({
      delivery: toLoggedAttempt(await service.redeliver(req.webhookId, req.deliveryId)),
    })),
  };
}
