import { CatalogServiceClient, IngestServiceClient, WebhookServiceClient } from '@pi/proto';
import { clientArgs } from '@pi/service';
import type { GatewayConfig } from './config.js';

/** gRPC clients of the internal services. Calls go through `unary()` so errors map in one place. */
export function createClients(config: GatewayConfig) {
  const clients = {
    ingest: new IngestServiceClient(...clientArgs(config.INGEST_GRPC_URL)),
    catalog: new CatalogServiceClient(...clientArgs(config.CATALOG_GRPC_URL)),
    webhooks: new WebhookServiceClient(...clientArgs(config.WEBHOOKS_GRPC_URL)),
  };
  return { ...clients, close: () => Object.values(clients).forEach((c) => c.close()) };
}
export type Clients = ReturnType<typeof createClients>;
