import type { EventType } from '@pi/contracts';
import type { Logger } from '@pi/logger';
import {
  CONSUMERS,
  PoisonMessageError,
  replayEvents,
  runEventConsumer,
  type EventHandler,
  type NatsConnection,
  type RunningConsumer,
} from '@pi/messaging';
import type { ProjectionMetrics } from './metrics.js';
import type { ProjectionRepository } from './repository.js';
import type { ProjectionWriter } from './writer.js';

const SPEC = CONSUMERS.progressProjection;

/** Every import event goes through the same fold step. */
function handlers(
  writer: ProjectionWriter,
  metrics: ProjectionMetrics,
): Partial<Record<EventType, EventHandler>> {
  const handle: EventHandler = async (event) => metrics.eventFolded(await writer.handle(event));
  return Object.fromEntries(SPEC.eventTypes.map((type) => [type, handle]));
}

/** The durable projection consumer; every gateway replica runs one and they share its messages. */
export function runProjectionConsumer(options: {
  nc: NatsConnection;
  prefix: string;
  writer: ProjectionWriter;
  metrics: ProjectionMetrics;
  logger: Logger;
}): Promise<RunningConsumer> {
  return runEventConsumer({
    nc: options.nc,
    prefix: options.prefix,
    spec: SPEC,
    logger: options.logger,
    handlers: handlers(options.writer, options.metrics),
  });
}

/**
 * Drops the projection and folds the whole events stream again from its start. Folding is
 * idempotent, so the durable consumer of a running gateway may keep writing meanwhile.
 */
export async function rebuildProjection(options: {
  nc: NatsConnection;
  prefix: string;
  repo: ProjectionRepository;
  writer: ProjectionWriter;
  logger: Logger;
}): Promise<number> {
  const { logger, writer } = options;
  await options.repo.truncate();
  return replayEvents({
    nc: options.nc,
    prefix: options.prefix,
    spec: SPEC,
    handle: async (event) => {
      try {
        await writer.handle(event);
      } catch (err) {
        // The durable consumer terminates such an event too: skip it the same way.
        if (!(err instanceof PoisonMessageError)) throw err;
        logger.warn({ err, eventId: event.id }, 'skipping an event the projection cannot fold');
      }
    },
  });
}
