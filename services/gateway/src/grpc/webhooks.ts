import type { handleUnaryCall, ServiceError } from '@grpc/grpc-js';
import type { WebhookServiceClient, WebhookServiceServer } from '@pi/proto';
import { call, toGrpcError } from '@pi/service';

/** Relays one unary call; the dispatcher's status (code, message, details) reaches the caller. */
function relay<K extends keyof WebhookServiceServer & keyof WebhookServiceClient>(
  client: WebhookServiceClient,
  method: K,
  timeoutMs?: number,
): WebhookServiceServer[K] {
  const handler: handleUnaryCall<unknown, unknown> = (c, callback) => {
    call(client, method, c.request as never, { timeoutMs }).then(
      (response) => callback(null, response),
      (err: unknown) => callback(toGrpcError(err) as ServiceError),
    );
  };
  return handler as WebhookServiceServer[K];
}

/** The public WebhookService: every call is forwarded to the webhook dispatcher. */
export function webhookService(client: WebhookServiceClient): WebhookServiceServer {
  return {
    listEventTypes: relay(client, 'listEventTypes'),
    listWebhooks: relay(client, 'listWebhooks'),
    getWebhook: relay(client, 'getWebhook'),
    createWebhook: relay(client, 'createWebhook'),
    updateWebhook: relay(client, 'updateWebhook'),
    deleteWebhook: relay(client, 'deleteWebhook'),
    rotateWebhookSecret: relay(client, 'rotateWebhookSecret'),
    // These send a request that may take up to the dispatcher's 10 s timeout.
    testWebhook: relay(client, 'testWebhook', 20_000),
    listDeliveries: relay(client, 'listDeliveries'),
    redeliver: relay(client, 'redeliver', 20_000),
  };
}
