import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { encodeEvent, natsNames, type EventType, type NatsNames } from '@pi/contracts';
import { ImportChunk, type EventEnvelope } from '@pi/proto';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Publishes events and chunks with JetStream acknowledgement; the message id lets the server drop
 * a republished duplicate inside its window.
 */
export class Publisher {
  readonly js: JetStreamClient;
  readonly names: NatsNames;

  constructor(nc: NatsConnection, prefix: string) {
    this.js = jetstream(nc, { timeout: 10_000 });
    this.names = natsNames(prefix);
  }

  async publishEvent(event: EventEnvelope): Promise<void> {
    await this.js.publish(this.names.eventSubject(event.type as EventType), encodeEvent(event), {
      msgID: event.id,
    });
  }

  async publishChunk(chunk: ImportChunk): Promise<void> {
    await this.js.publish(
      this.names.chunkSubject(chunk.importId),
      ImportChunk.encode(chunk).finish(),
      { msgID: `${chunk.importId}:${chunk.seq}` },
    );
  }
}
