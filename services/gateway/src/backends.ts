import { healthClient } from '@pi/service';
import type { GatewayConfig } from './config.js';

/** The internal services the gateway fronts, with the gRPC service each must be serving. */
export function backendHealth(config: GatewayConfig) {
  const backends = {
    ingest: { client: healthClient(config.INGEST_GRPC_URL), service: 'ingest' },
    catalog: { client: healthClient(config.CATALOG_GRPC_URL), service: 'catalog' },
    'webhook-dispatcher': {
      client: healthClient(config.WEBHOOKS_GRPC_URL),
      service: 'webhook-dispatcher',
    },
  };
  const checks = Object.fromEntries(
    Object.entries(backends).map(([name, b]) => [
      name,
      async () => {
        const status = await b.client.check(b.service);
        if (status !== 'SERVING') throw new Error(`gRPC health is ${status}`);
        return status;
      },
    ]),
  );
  return { checks, close: () => Object.values(backends).forEach((b) => b.client.close()) };
}
