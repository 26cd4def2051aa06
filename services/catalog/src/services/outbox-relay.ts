import { decodeEvent } from '@pi/contracts';
import type { Logger } from '@pi/logger';
import type { EventEnvelope } from '@pi/proto';
import type { CatalogStore } from '../repositories/catalog-store.js';

export interface EventPublisher {
  publishEvent(event: EventEnvelope): Promise<void>;
}

/** Wakes the relay when an outbox row commits (LISTEN/NOTIFY); `close` stops listening. */
export interface OutboxWakeups {
  onWake(listener: () => void): void;
  close(): Promise<void>;
}

/**
 * Test-only crash points that prove the outbox survives a process dying between the commit of a
 * write and the publication of its event (the process exits at that point, as `kill -9` would).
 */
export type RelayFault = 'none' | 'exit-before-publish' | 'exit-after-publish';

export interface OutboxRelayOptions {
  store: CatalogStore;
  publisher: EventPublisher;
  wakeups: OutboxWakeups;
  logger: Logger;
  /** Poll period: the fallback when a notification is missed (e.g. the listener reconnecting). */
  pollMs: number;
  batchSize?: number;
  /** Published rows older than this are deleted. */
  retainMs?: number;
  fault?: RelayFault;
  /** Called with the number of events each round published. */
  onPublished?: (count: number) => void;
}

const FAULT_EXIT_CODE = 86;

/**
 * Publishes outbox rows to JetStream in order, then marks them published. Several replicas may run
 * it: an advisory lock elects one publisher per round and `FOR UPDATE SKIP LOCKED` keeps claimed
 * rows to one transaction. A crash after publishing but before marking republishes the same event
 * id, which JetStream's duplicate window drops — so each event reaches the stream once.
 */
export function startOutboxRelay(o: OutboxRelayOptions) {
  const batchSize = o.batchSize ?? 100;
  const retainMs = o.retainMs ?? 3_600_000;
  let running = true;
  let wake: (() => void) | undefined;
  let pending = true;
  o.wakeups.onWake(() => {
    pending = true;
    wake?.();
  });
  let lastCleanup = 0;

  const publishRound = () =>
    o.store.transaction(async (tx) => {
      if (!(await tx.outbox.tryLeadRelay())) return 0;
      const events = await tx.outbox.claimPending(batchSize);
      if (events.length && o.fault === 'exit-before-publish') process.exit(FAULT_EXIT_CODE);
      for (const e of events) await o.publisher.publishEvent(decodeEvent(e.envelope));
      if (events.length && o.fault === 'exit-after-publish') process.exit(FAULT_EXIT_CODE);
      if (events.length) await tx.outbox.markPublished(events.map((e) => e.id));
      return events.length;
    });

  const cleanup = async () => {
    if (Date.now() - lastCleanup < 60_000) return;
    lastCleanup = Date.now();
    await o.store.repos.outbox.deletePublishedBefore(new Date(Date.now() - retainMs));
  };

  const loop = async () => {
    while (running) {
      try {
        pending = false;
        const published = await publishRound();
        if (published) o.onPublished?.(published);
        if (published === batchSize) continue;
        await cleanup();
      } catch (err) {
        o.logger.warn({ err }, 'outbox relay round failed; will retry');
      }
      if (!pending && running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, o.pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  };
  const done = loop();
  return {
    async stop() {
      running = false;
      wake?.();
      await done;
      await o.wakeups.close();
    },
  };
}
