import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { decodeEvent, natsNames, type EventType } from '@pi/contracts';
import type { NatsConnection } from '@nats-io/transport-node';
import type { EventHandler } from './consumer.js';
import type { ConsumerSpec } from './provision.js';

/**
 * Replays every event a durable consumer of the events stream would receive, from the start of
 * the stream, through an ephemeral ordered consumer (nothing durable is touched), calling the
 * handler in stream order. Resolves with the number of events handled once it has caught up with
 * the end of the stream as it was when the replay started.
 */
export async function replayEvents(options: {
  nc: NatsConnection;
  prefix: string;
  spec: ConsumerSpec;
  handle: EventHandler;
}): Promise<number> {
  const { nc, prefix, spec } = options;
  const names = natsNames(prefix);
  const wanted = new Set<string>(spec.eventTypes ?? []);
  const consumer = await jetstream(nc).consumers.get(names.eventsStream, {
    filter_subjects: `${prefix}.events.${spec.filter ?? '>'}`,
    deliver_policy: DeliverPolicy.All,
  });
  if ((await consumer.info()).num_pending === 0) return 0;
  const messages = await consumer.consume();
  let handled = 0;
  try {
    for await (const m of messages) {
      const event = decodeEvent(m.data);
      if (wanted.has(event.type as EventType)) {
        await options.handle(event, {
          subject: m.subject,
          deliveryCount: m.info.deliveryCount,
          working: () => undefined,
        });
        handled++;
      }
      if (m.info.pending === 0) break;
    }
  } finally {
    await messages.close();
  }
  return handled;
}
