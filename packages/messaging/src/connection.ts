import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

export type { NatsConnection };

/** Connects and keeps reconnecting forever: a NATS restart must not take a service down. */
export async function connectNats(
  url: string,
  name: string,
  logger: Logger,
): Promise<NatsConnection> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: url.split(','),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      waitOnFirstConnect: false,
    });
  } catch (err) {
    throw new Error(`Cannot connect to NATS at ${url}: ${(err as Error).message}`, { cause: err });
  }
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') {
        logger.warn({ nats: s.type, data: 'server' in s ? s.server : undefined }, 'nats status');
      }
    }
  })();
  return nc;
}

/** Readiness: the connection is up and the server answers a round trip. */
export async function pingNats(nc: NatsConnection): Promise<void> {
  if (nc.isClosed()) throw new Error('NATS connection is closed');
  await nc.flush();
}
