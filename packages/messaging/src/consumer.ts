import { jetstream, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { decodeEvent, natsNames, type EventType } from '@pi/contracts';
import type { EventEnvelope } from '@pi/proto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { ConsumerSpec } from './provision.js';

export interface MessageContext {
  subject: string;
  /** 1 on first delivery. */
  deliveryCount: number;
  /** Tells the server the message is still being worked on (resets ack_wait). */
  working(): void;
}

/** Thrown by a handler for a message that can never succeed: it is terminated, not retried. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

export interface RunConsumerOptions {
  nc: NatsConnection;
  prefix: string;
  spec: ConsumerSpec;
  logger: Logger;
  /** Messages handled at once by this process. */
  concurrency?: number;
  handle(data: Uint8Array, ctx: MessageContext): Promise<void>;
  /** Called once when a message is given up (poison, or max deliveries reached). */
  onGiveUp?(data: Uint8Array, err: unknown, ctx: MessageContext): Promise<void>;
  /** Delay before redelivery after a failure; grows with the delivery count. */
  retryDelayMs?(deliveryCount: number): number;
}

export interface RunningConsumer {
  /** Stops pulling, lets in-flight messages finish, then resolves. */
  stop(): Promise<void>;
  /** Resolves when the consumer loop ends. */
  done: Promise<void>;
}

const defaultRetryDelay = (n: number) => Math.min(30_000, 250 * 2 ** Math.min(n, 7));

/** Pulls from a durable consumer with bounded concurrency and explicit ack/nak/term. */
export async function runConsumer(options: RunConsumerOptions): Promise<RunningConsumer> {
  const { nc, prefix, spec, logger } = options;
  const names = natsNames(prefix);
  const stream = spec.stream === 'chunks' ? names.chunksStream : names.eventsStream;
  const concurrency = options.concurrency ?? 1;
  const retryDelay = options.retryDelayMs ?? defaultRetryDelay;
  const consumer = await jetstream(nc).consumers.get(stream, spec.name);
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let messages: ConsumerMessages | undefined;

  const processOne = async (m: JsMsg) => {
    const ctx: MessageContext = {
      subject: m.subject,
      deliveryCount: m.info.deliveryCount,
      working: () => m.working(),
    };
    try {
      await options.handle(m.data, ctx);
      m.ack();
    } catch (err) {
      const exhausted = spec.maxDeliver > 0 && ctx.deliveryCount >= spec.maxDeliver;
      if (err instanceof PoisonMessageError || exhausted) {
        logger.error(
          { err, subject: m.subject, deliveries: ctx.deliveryCount },
          'giving up on message',
        );
        try {
          await options.onGiveUp?.(m.data, err, ctx);
          m.term(String((err as Error).message ?? err));
        } catch (giveUpErr) {
          logger.error({ err: giveUpErr }, 'could not record a given-up message; will retry');
          m.nak(retryDelay(ctx.deliveryCount));
        }
      } else {
        logger.warn(
          { err, subject: m.subject, deliveries: ctx.deliveryCount },
          'message failed; will retry',
        );
        m.nak(retryDelay(ctx.deliveryCount));
      }
    }
  };

  const loop = async () => {
    while (!stopping) {
      try {
        messages = await consumer.consume({ max_messages: Math.max(concurrency * 2, 8) });
        for await (const m of messages) {
          const p = processOne(m).finally(() => inFlight.delete(p));
          inFlight.add(p);
          if (inFlight.size >= concurrency) await Promise.race(inFlight);
          if (stopping) break;
        }
      } catch (err) {
        if (stopping) break;
        logger.warn({ err, consumer: spec.name }, 'consumer interrupted; resubscribing');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    await Promise.allSettled(inFlight);
  };
  const done = loop();

  return {
    done,
    async stop() {
      stopping = true;
      await messages?.close().catch(() => undefined);
      await done;
    },
  };
}

export type EventHandler = (event: EventEnvelope, ctx: MessageContext) => Promise<void>;

/**
 * Runs a consumer of the events stream with one handler per event type. Refuses to start when the
 * table does not cover exactly the types the consumer is provisioned for.
 */
export async function runEventConsumer(
  options: Omit<RunConsumerOptions, 'handle'> & {
    handlers: Partial<Record<EventType, EventHandler>>;
  },
): Promise<RunningConsumer> {
  assertHandlersMatch(options.spec, options.handlers);
  const { handlers, ...rest } = options;
  return runConsumer({
    ...rest,
    handle: async (data, ctx) => {
      const event = decodeEvent(data);
      const handler = handlers[event.type as EventType];
      // The subject filter is wider than the handled types: the rest is not this consumer's business.
      if (handler) await handler(event, ctx);
    },
  });
}

export function assertHandlersMatch(
  spec: ConsumerSpec,
  handlers: Partial<Record<EventType, unknown>>,
): void {
  const expected = new Set(spec.eventTypes ?? []);
  const given = new Set(Object.keys(handlers));
  const missing = [...expected].filter((t) => !given.has(t));
  const extra = [...given].filter((t) => !expected.has(t as EventType));
  if (missing.length || extra.length) {
    throw new Error(
      `Consumer ${spec.name}: handlers do not match its subscriptions` +
        (missing.length ? `; missing: ${missing.join(', ')}` : '') +
        (extra.length ? `; not subscribed: ${extra.join(', ')}` : ''),
    );
  }
}
