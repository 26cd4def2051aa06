import express, { type Router } from 'express';
import type { DeliveryDto, EventTypeDto, Page, WebhookDto } from '@pi/api';
import type { WebhookServiceClient } from '@pi/proto';
import { call, invalid } from '@pi/service';
import {
  toCreateRequest,
  toDeliveryDto,
  toEventTypeDto,
  toTestResultDto,
  toUpdateRequest,
  toWebhookDto,
} from '../mappers/webhook.js';

/** Webhook subscriptions, their test and delivery log: forwarded to the webhook dispatcher. */
export function webhooksRouter(webhooks: WebhookServiceClient): Router {
  const router = express.Router();
  router.use('/webhooks', express.json({ limit: '64kb' }));

  router.get('/event-types', async (_req, res) => {
    const r = await call(webhooks, 'listEventTypes', {});
    res.json(r.eventTypes.map(toEventTypeDto) satisfies EventTypeDto[]);
  });

  router.get('/webhooks', async (_req, res) => {
    const r = await call(webhooks, 'listWebhooks', {});
    res.json(r.webhooks.map(toWebhookDto) satisfies WebhookDto[]);
  });

  router.post('/webhooks', async (req, res) => {
    const r = await call(webhooks, 'createWebhook', toCreateRequest(req.body));
    res.status(201).json(toWebhookDto(r.webhook!));
  });

  router.get('/webhooks/:id', async (req, res) => {
    const r = await call(webhooks, 'getWebhook', { id: req.params.id });
    res.json(toWebhookDto(r.webhook!));
  });

  router.patch('/webhooks/:id', async (req, res) => {
    const r = await call(webhooks, 'updateWebhook', toUpdateRequest(req.params.id, req.body));
    res.json(toWebhookDto(r.webhook!));
  });

  router.delete('/webhooks/:id', async (req, res) => {
    await call(webhooks, 'deleteWebhook', { id: req.params.id });
    res.status(204).end();
  });

  router.post('/webhooks/:id/rotate-secret', async (req, res) => {
    const r = await call(webhooks, 'rotateWebhookSecret', { id: req.params.id });
    res.json(toWebhookDto(r.webhook!));
  });

  router.post('/webhooks/:id/test', async (req, res) => {
    // Longer than the 10 s request timeout the dispatcher applies, so its answer always arrives.
    const r = await call(webhooks, 'testWebhook', { id: req.params.id }, { timeoutMs: 20_000 });
    res.json(toTestResultDto(r));
  });

  router.get('/webhooks/:id/deliveries', async (req, res) => {
    const r = await call(webhooks, 'listDeliveries', {
      webhookId: req.params.id,
      limit: parseLimit(req.query.limit),
      cursor: typeof req.query.cursor === 'string' ? req.query.cursor : '',
    });
    const page: Page<DeliveryDto> = {
      items: r.deliveries.map(toDeliveryDto),
      nextCursor: r.nextCursor || null,
    };
    res.json(page);
  });

  router.post('/webhooks/:id/deliveries/:deliveryId/redeliver', async (req, res) => {
    const r = await call(
      webhooks,
      'redeliver',
      { webhookId: req.params.id, deliveryId: req.params.deliveryId },
      { timeoutMs: 20_000 },
    );
    res.json(toDeliveryDto(r.delivery!));
  });

  return router;
}

/** 0 lets the service pick its default page size. */
function parseLimit(value: unknown): number {
  if (value === undefined || value === '') return 0;
  if (typeof value !== 'string' || !/^\d{1,4}$/.test(value) || value === '0') {
    throw invalid('limit must be a whole number from 1 to 100', { field: 'limit' });
  }
  return Number(value);
}
