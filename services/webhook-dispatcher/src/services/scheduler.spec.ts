import { createLogger } from '@pi/logger';
import { describe, expect, it } from 'vitest';
import type { DeliveriesRepository, DueDelivery } from '../repositories/index.js';
import { DeliveryScheduler } from './scheduler.js';

const due = (id: number, webhook: string): DueDelivery => ({
  id: String(id),
  webhook_id: webhook,
  event_id: `e${id}`,
  event_type: 'product.created',
  body: '{}',
  attempts: 0,
  url: 'http://example.com',
  secret: 'whsec_x',
});

/**
 * A fake of the queue that claims like the SQL does: at most `limit`, and per webhook at most
 * `perEndpoint` minus what the scheduler says it has in flight.
 */
function fakeQueue(items: DueDelivery[]) {
  const claims: number[] = [];
  const repo = {
    async claimDue(o: {
      limit: number;
      perEndpoint: number;
      inFlight: ReadonlyMap<string, number>;
    }) {
      const taken: DueDelivery[] = [];
      const perWebhook = new Map(o.inFlight);
      for (const d of [...items]) {
        if (taken.length >= o.limit) break;
        const n = perWebhook.get(d.webhook_id) ?? 0;
        if (n >= o.perEndpoint) continue;
        perWebhook.set(d.webhook_id, n + 1);
        taken.push(d);
        items.splice(items.indexOf(d), 1);
      }
      claims.push(taken.length);
      return taken;
    },
  } as unknown as DeliveriesRepository;
  return { repo, claims };
}

/** Sends that finish only when the test says so. */
function manualSends() {
  const open = new Map<string, () => void>();
  const active = new Map<string, number>();
  let peak = 0;
  const peakPerWebhook = new Map<string, number>();
  const send = (d: DueDelivery) =>
    new Promise<null>((resolve) => {
      const n = (active.get(d.webhook_id) ?? 0) + 1;
      active.set(d.webhook_id, n);
      peakPerWebhook.set(d.webhook_id, Math.max(peakPerWebhook.get(d.webhook_id) ?? 0, n));
      peak = Math.max(
        peak,
        [...active.values()].reduce((a, b) => a + b, 0),
      );
      open.set(d.id, () => {
        active.set(d.webhook_id, active.get(d.webhook_id)! - 1);
        open.delete(d.id);
        resolve(null);
      });
    });
  return { send, open, peak: () => peak, peakPerWebhook };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('DeliveryScheduler', () => {
  it('keeps within the overall and per-endpoint limits and refills as sends finish', async () => {
    const items = [
      ...Array.from({ length: 6 }, (_, i) => due(i, 'slow')),
      ...Array.from({ length: 6 }, (_, i) => due(10 + i, 'fast')),
    ];
    const { repo } = fakeQueue(items);
    const sends = manualSends();
    const scheduler = new DeliveryScheduler({
      deliveries: repo,
      send: sends.send,
      logger: createLogger('test', 'silent'),
      concurrency: 5,
      perEndpoint: 2,
      pollMs: 60_000,
      leaseMs: 1_000,
    });
    scheduler.start();
    await settle();
    expect([...sends.open.keys()].sort()).toEqual(['0', '1', '10', '11']);

    // The fast endpoint's slots free up and refill; the slow one keeps its two.
    for (let round = 0; round < 2; round++) {
      for (const id of [...sends.open.keys()].filter((k) => Number(k) >= 10)) sends.open.get(id)!();
      await settle();
    }
    expect([...sends.open.keys()].sort()).toEqual(['0', '1', '14', '15']);
    expect(sends.peak()).toBeLessThanOrEqual(5);
    expect(sends.peakPerWebhook.get('slow')).toBe(2);
    expect(sends.peakPerWebhook.get('fast')).toBe(2);

    const stopped = scheduler.stop();
    for (const finish of [...sends.open.values()]) finish();
    await stopped;
    expect(items.map((d) => d.id)).toEqual(['2', '3', '4', '5']);
  });

  it('claims no more after stop', async () => {
    const { repo, claims } = fakeQueue([]);
    const scheduler = new DeliveryScheduler({
      deliveries: repo,
      send: async () => null,
      logger: createLogger('test', 'silent'),
      concurrency: 5,
      perEndpoint: 2,
      pollMs: 5,
      leaseMs: 1_000,
    });
    scheduler.start();
    await settle();
    await scheduler.stop();
    const seen = claims.length;
    expect(seen).toBeGreaterThan(0);
    scheduler.wake();
    await settle();
    expect(claims.length).toBe(seen);
  });
});
