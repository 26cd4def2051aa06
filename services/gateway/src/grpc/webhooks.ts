import type { WebhookServiceClient, WebhookServiceServer } from '@pi/proto';
import { call } from '@pi/service';
import { unary } from './handlers.js';

/** The public WebhookService: every call is forwarded to the webhook dispatcher. */
export function webhookService(client: WebhookServiceClient): WebhookServiceServer {
  return {
    listEventTypes: unary((req) => call(client, 'listEventTypes', req)),
    listWebhooks: unary((req) => call(client, 'listWebhooks', req)),
    getWebhook: unary((req) => call(client, 'getWebhook', req)),
    createWebhook: unary((req) => call(client, 'createWebhook', req)),
    updateWebhook: unary((req) => call(client, 'updateWebhook', req)),
    deleteWebhook: unary((req) => call(client, 'deleteWebhook', req)),
    rotateWebhookSecret: unary((req) => call(client, 'rotateWebhookSecret', req)),
    // These two send a request that may take up to the dispatcher's 10 s timeout.
    testWebhook: unary((req) => call(client, 'testWebhook', req, { timeoutMs: 20_000 })),
    listDeliveries: unary((req) => call(client, 'listDeliveries', req)),
    redeliver: unary((req) => call(client, 'redeliver', req, { timeoutMs: 20_000 })),
  };
}
