import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { newEvent } from '@pi/contracts';
import { Publisher } from '@pi/messaging';
import { openBenchEnv } from '../environment.js';
import { ms, percentile, type BenchRow, type BenchSuite } from '../report.js';

const EVENTS = 10_000;
const WEBHOOKS = 5;
/** The unsaturated latency run: events per second and for how long. */
const PACED_RATE = 50;
const PACED_EVENTS = 1_000;

/** Counts deliveries and the time from each event's publication to its arrival. */
class CountingReceiver {
  received = 0;
  latencies: number[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { timestamp } = JSON.parse(body) as { timestamp: string };
      this.latencies.push(Date.now() - Date.parse(timestamp));
      this.received += 1;
      res.writeHead(204).end();
      this.waiters = this.waiters.filter((w) => (w.count <= this.received ? w.resolve() : true));
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  reset(): void {
    this.received = 0;
    this.latencies = [];
  }

  until(count: number): Promise<void> {
    if (this.received >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const productCreated = (i: number) =>
  newEvent('product.created', String(i), {
    product: {
      id: String(i),
      sku: `BENCH-${i}`,
      name: `Bench product ${i}`,
      description: 'A product of the webhook benchmark',
      active: true,
      createdAt: new Date(),
      updatedAt: new Date(),
    },
  });

/**
 * Webhook delivery: 10,000 product.created events published at once on NATS, each delivered to
 * 5 webhooks on a local receiver (deliveries/s), then a paced run below saturation for the
 * publish → delivery latency.
 */
export const webhooksSuite: BenchSuite = {
  name: 'webhooks',
  async run(log) {
    const env = await openBenchEnv('webhooks', log);
    const receiver = new CountingReceiver();
    const hookUrl = await receiver.start();
    try {
      log('starting the services…');
      const stack = await env.startStack({
        catalogReplicas: 1,
        env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
      });
      for (let i = 0; i < WEBHOOKS; i++) {
        const res = await fetch(`${stack.gatewayUrl}/api/webhooks`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ url: hookUrl, events: ['product.created'] }),
        });
        if (res.status !== 201) throw new Error(`creating a webhook failed: ${await res.text()}`);
      }
      const publisher = new Publisher(env.nc, env.prefix);

      log(`publishing ${EVENTS} events to ${WEBHOOKS} webhooks…`);
      const started = performance.now();
      for (let i = 0; i < EVENTS; i += 200) {
        const batch = Array.from({ length: Math.min(200, EVENTS - i) }, (_, k) => i + k);
        await Promise.all(batch.map((n) => publisher.publishEvent(productCreated(n))));
      }
      const published = performance.now() - started;
      await receiver.until(EVENTS * WEBHOOKS);
      const burstSeconds = (performance.now() - started) / 1000;
      const burstLatencies = receiver.latencies;

      log(`paced run: ${PACED_EVENTS} events at ${PACED_RATE}/s…`);
      receiver.reset();
      const pacedStart = performance.now();
      for (let i = 0; i < PACED_EVENTS; i++) {
        const due = pacedStart + (i * 1000) / PACED_RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await publisher.publishEvent(productCreated(EVENTS + i));
      }
      await receiver.until(PACED_EVENTS * WEBHOOKS);

      const deliveries = EVENTS * WEBHOOKS;
      const row = (measure: string, value: string, target?: string, note?: string): BenchRow => ({
        suite: 'webhooks',
        measure,
        value,
        target,
        note,
      });
      return [
        row(
          'deliveries/s (burst)',
          (deliveries / burstSeconds).toFixed(0),
          '≥ 500',
          `${deliveries} deliveries in ${burstSeconds.toFixed(1)} s; publishing took ${ms(published)}`,
        ),
        row('publish → delivery p50 (burst)', ms(percentile(burstLatencies, 50)), '', 'saturated'),
        row('publish → delivery p99 (burst)', ms(percentile(burstLatencies, 99)), '', 'saturated'),
        row(
          'publish → delivery p50',
          ms(percentile(receiver.latencies, 50)),
          '',
          `${PACED_RATE} events/s × ${WEBHOOKS} webhooks`,
        ),
        row(
          'publish → delivery p99',
          ms(percentile(receiver.latencies, 99)),
          '< 250 ms',
          `${PACED_RATE} events/s × ${WEBHOOKS} webhooks`,
        ),
      ];
    } finally {
      await receiver.stop();
      await env.close();
    }
  },
};
