/** What an HTTP answer means for a delivery. */
export type ResponseVerdict = 'success' | 'gone' | 'retry';

export function verdictOf(statusCode: number | null): ResponseVerdict {
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return 'success';
  // 410 Gone is the receiver's way of saying "stop sending": the webhook is disabled.
  if (statusCode === 410) return 'gone';
  return 'retry';
}

/** ±10 % so retries of many deliveries that failed together do not arrive together. */
const JITTER = 0.1;

/**
 * Delay before the next attempt after `attemptsMade` attempts, or null when the schedule is used
 * up. A `Retry-After` from the receiver is honoured as a minimum, but never beyond the schedule's
 * longest step, so a receiver cannot park a delivery for days.
 */
export function nextRetryDelay(
  schedule: readonly number[],
  attemptsMade: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | null {
  const base = schedule[attemptsMade];
  if (base === undefined) return null;
  const jittered = Math.round(base * (1 + (random() * 2 - 1) * JITTER));
  const ceiling = Math.max(...schedule);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, ceiling));
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined if absent or bad. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date has a day or month name; Date.parse would also read "-5" as a year.
  const at = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
