import type { Logger } from 'pino';
import type { DeliveriesRepository, DueDelivery, LoggedAttempt } from '../repositories/index.js';

export interface SchedulerOptions {
  deliveries: DeliveriesRepository;
  send(delivery: DueDelivery): Promise<LoggedAttempt | null>;
  logger: Logger;
  /** Requests in flight from this process at most. */
  concurrency: number;
  /** Requests in flight to one webhook at most, so a slow endpoint cannot take every slot. */
  perEndpoint: number;
  /** How often PostgreSQL is asked for due deliveries when nothing wakes the scheduler sooner. */
  pollMs: number;
  /** How long a claimed delivery is reserved; after that another process may retry it. */
  leaseMs: number;
}

/**
 * Sends due deliveries from PostgreSQL. The table is the queue, so retries survive restarts and
 * replicas share it. It claims only what it has free slots for, overall and per webhook.
 */
export class DeliveryScheduler {
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private total = 0;
  private claiming = false;
  private again = false;
  private stopped = true;
  private poller: NodeJS.Timeout | undefined;
  private alarm: { at: number; timer: NodeJS.Timeout } | undefined;

  constructor(private readonly o: SchedulerOptions) {}

  start(): void {
    this.stopped = false;
    this.poller = setInterval(() => this.wake(), this.o.pollMs);
    this.wake();
  }

  /** Looks for due work now (new deliveries were queued, or a slot came free). */
  wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    void this.fill();
  }

  /** Stops claiming and waits for the requests in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poller);
    if (this.alarm) clearTimeout(this.alarm.timer);
    await Promise.allSettled([...this.running]);
  }

  private async fill(): Promise<void> {
    this.claiming = true;
    try {
      do {
        this.again = false;
        const free = this.o.concurrency - this.total;
        if (free <= 0) break;
        const due = await this.o.deliveries.claimDue({
          limit: free,
          perEndpoint: this.o.perEndpoint,
          inFlight: this.inFlight,
          leaseMs: this.o.leaseMs,
        });
        for (const d of due) this.launch(d);
        if (due.length === free) this.again = true;
      } while (this.again && !this.stopped);
    } catch (err) {
      this.o.logger.warn({ err }, 'could not claim due webhook deliveries; will retry');
    } finally {
      this.claiming = false;
    }
  }

  private launch(d: DueDelivery): void {
    this.total += 1;
    this.inFlight.set(d.webhook_id, (this.inFlight.get(d.webhook_id) ?? 0) + 1);
    const p = this.o
      .send(d)
      .then((record) => {
        if (record?.next_attempt_at) this.wakeAt(record.next_attempt_at);
      })
      .catch((err) => {
        // The lease runs out and the delivery is claimed again: nothing is lost.
        this.o.logger.error({ err, delivery: d.id }, 'could not record a webhook attempt');
      })
      .finally(() => {
        this.total -= 1;
        const left = (this.inFlight.get(d.webhook_id) ?? 1) - 1;
        if (left > 0) this.inFlight.set(d.webhook_id, left);
        else this.inFlight.delete(d.webhook_id);
        this.running.delete(p);
        this.wake();
      });
    this.running.add(p);
  }

  /** A retry due before the next poll is picked up on time. */
  private wakeAt(at: Date): void {
    const when = at.getTime();
    if (this.stopped || when - Date.now() >= this.o.pollMs) return;
    if (this.alarm && this.alarm.at <= when) return;
    if (this.alarm) clearTimeout(this.alarm.timer);
    const timer = setTimeout(
      () => {
        this.alarm = undefined;
        this.wake();
      },
      Math.max(0, when - Date.now()),
    );
    this.alarm = { at: when, timer };
  }
}
