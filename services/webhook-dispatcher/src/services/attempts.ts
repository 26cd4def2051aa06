import type { AttemptOutcome, DeliveryState } from '../db.js';
import { nextRetryDelay, verdictOf } from '../domain/retry.js';
import type { SendResult, WebhookSender } from '../delivery/sender.js';
import type { DispatcherMetrics } from '../metrics.js';
import type { DeliveriesRepository, DueDelivery, LoggedAttempt } from '../repositories/index.js';

/**
 * `scheduled` attempts follow the retry schedule; a `manual` redelivery is one extra try that
 * leaves the delivery exhausted again if it fails.
 */
export type AttemptMode = 'scheduled' | 'manual';

const OUTCOME_OF: Record<DeliveryState, AttemptOutcome> = {
  succeeded: 'succeeded',
  pending: 'failed',
  exhausted: 'exhausted',
};

/** Sends one delivery once and records the attempt, the delivery's next state and webhook health. */
export class DeliveryAttempter {
  constructor(
    private readonly deps: {
      deliveries: DeliveriesRepository;
      sender: WebhookSender;
      schedule: readonly number[];
      metrics: DispatcherMetrics;
      now?: () => Date;
    },
  ) {}

  async attempt(d: DueDelivery, mode: AttemptMode): Promise<LoggedAttempt | null> {
    const result = await this.deps.sender.send({
      url: d.url,
      secret: d.secret,
      messageId: d.id,
      body: d.body,
    });
    const attempt = d.attempts + 1;
    const verdict = result.error ? 'retry' : verdictOf(result.statusCode);
    const { state, nextAttemptAt } = this.nextState(verdict, attempt, mode, result);
    const outcome = OUTCOME_OF[state];
    const error =
      verdict === 'gone'
        ? 'The endpoint answered 410 Gone; the webhook was disabled'
        : result.error;

    const logged = await this.deps.deliveries.recordAttempt(
      {
        delivery_id: d.id,
        webhook_id: d.webhook_id,
        attempt,
        outcome,
        status_code: result.statusCode,
        duration_ms: result.durationMs,
        error,
        response_excerpt: result.responseExcerpt,
        next_attempt_at: nextAttemptAt,
      },
      { state, disableWebhook: verdict === 'gone' },
    );
    this.deps.metrics.attempts.inc({ result: outcome });
    this.deps.metrics.attemptDuration.observe({ result: outcome }, result.durationMs / 1000);
    if (!logged) return null;
    return { ...logged, event_id: d.event_id, event_type: d.event_type };
  }

  private nextState(
    verdict: ReturnType<typeof verdictOf>,
    attempt: number,
    mode: AttemptMode,
    result: SendResult,
  ): { state: DeliveryState; nextAttemptAt: Date | null } {
    if (verdict === 'success') return { state: 'succeeded', nextAttemptAt: null };
    if (verdict === 'gone' || mode === 'manual') return { state: 'exhausted', nextAttemptAt: null };
    const delay = nextRetryDelay(this.deps.schedule, attempt, result.retryAfterMs);
    if (delay === null) return { state: 'exhausted', nextAttemptAt: null };
    const now = this.deps.now?.() ?? new Date();
    return { state: 'pending', nextAttemptAt: new Date(now.getTime() + delay) };
  }
}
