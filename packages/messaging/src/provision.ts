import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  jetstreamManager,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { natsNames, type EventType } from '@pi/contracts';
import type { NatsConnection } from '@nats-io/transport-node';

const SECOND_NS = 1_000_000_000;

/**
 * Every durable consumer of the system, in one table. A consumer of the events stream lists the
 * event types it handles; its handler table must cover exactly those (see `runEventConsumer`).
 */
export const CONSUMERS = {
  /**
   * Shared by every catalog replica: each chunk goes to exactly one worker. A chunk applies in
   * well under a second, so 30 s without an ack means its worker died: redeliver it.
   */
  catalogWorkers: { stream: 'chunks', name: 'catalog-workers', ackWaitSeconds: 30, maxDeliver: 20 },
  /** Ingest folds chunk results to decide when an import is complete; a failure stops its split. */
  ingestLifecycle: {
    stream: 'events',
    name: 'ingest-lifecycle',
    ackWaitSeconds: 30,
    maxDeliver: -1,
    filter: 'import.>',
    eventTypes: ['import.chunk_applied', 'import.split_finished', 'import.failed'],
  },
  /** The progress projection the dashboard reads; built from import events only. */
  progressProjection: {
    stream: 'events',
    name: 'progress-projection',
    ackWaitSeconds: 30,
    maxDeliver: -1,
    filter: 'import.>',
    eventTypes: [
      'import.created',
      'import.started',
      'import.split_progress',
      'import.chunk_applied',
      'import.split_finished',
      'import.completed',
      'import.failed',
      'import.cancelled',
    ],
  },
  /** Webhook fan-out. */
  webhookDispatcher: {
    stream: 'events',
    name: 'webhook-dispatcher',
    ackWaitSeconds: 30,
    maxDeliver: -1,
    filter: '>',
    eventTypes: [
      'product.created',
      'product.updated',
      'product.deleted',
      'products.deleted_all',
      'import.completed',
      'import.failed',
    ],
  },
} as const satisfies Record<string, ConsumerSpec>;

export interface ConsumerSpec {
  stream: 'chunks' | 'events';
  name: string;
  ackWaitSeconds: number;
  maxDeliver: number;
  /**
   * Subject filter under `<prefix>.events.`. One wildcard filter, because NATS before 2.10 has no
   * multi-subject filters; events it matches beyond `eventTypes` are acknowledged and skipped.
   */
  filter?: string;
  eventTypes?: readonly EventType[];
}

export interface ProvisionOptions {
  prefix: string;
  /** How long domain events are kept (the projection is rebuilt by replaying them). 0 = forever. */
  eventsMaxAgeSeconds?: number;
  /** Chunk payloads can approach this; NATS' own default max_payload is 1 MiB. */
  duplicateWindowSeconds?: number;
}

/**
 * Creates or updates the streams and durable consumers. Idempotent; every service calls it at boot,
 * so several may race on the same names (one's add against another's update): such a collision is
 * retried, and the retry finds everything in place.
 */
export async function provisionJetStream(
  nc: NatsConnection,
  options: ProvisionOptions,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await provisionOnce(nc, options);
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

async function provisionOnce(nc: NatsConnection, options: ProvisionOptions): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const names = natsNames(options.prefix);
  const dupWindow = (options.duplicateWindowSeconds ?? 120) * SECOND_NS;
  await ensureStream(jsm, {
    name: names.chunksStream,
    subjects: [names.chunkSubjects],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: dupWindow,
  });
  await ensureStream(jsm, {
    name: names.eventsStream,
    subjects: [names.eventSubjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    duplicate_window: dupWindow,
    max_age: (options.eventsMaxAgeSeconds ?? 0) * SECOND_NS,
  });
  for (const spec of Object.values(CONSUMERS) as ConsumerSpec[]) {
    const stream = spec.stream === 'chunks' ? names.chunksStream : names.eventsStream;
    const config: Partial<ConsumerConfig> = {
      durable_name: spec.name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: spec.ackWaitSeconds * SECOND_NS,
      max_deliver: spec.maxDeliver,
      max_ack_pending: 1000,
      filter_subject: spec.filter ? `${options.prefix}.events.${spec.filter}` : names.chunkSubjects,
    };
    await ensureConsumer(jsm, stream, config);
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
) {
  try {
    const existing = await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, { ...existing.config, ...config });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.streams.add(config);
  }
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig>,
) {
  const name = config.durable_name!;
  try {
    await jsm.consumers.info(stream, name);
    await jsm.consumers.update(stream, name, config);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(stream, config);
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string | number; message?: string; api_error?: { err_code?: number } };
  return (
    e?.api_error?.err_code === 10059 ||
    e?.api_error?.err_code === 10014 ||
    /not found/i.test(e?.message ?? '')
  );
}

/** Deletes the streams of a prefix (tests clean up after themselves with it). */
export async function deleteJetStream(nc: NatsConnection, prefix: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const names = natsNames(prefix);
  for (const s of [names.chunksStream, names.eventsStream]) {
    await jsm.streams.delete(s).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }
}
