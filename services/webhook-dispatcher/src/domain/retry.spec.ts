import { describe, expect, it } from 'vitest';
import { nextRetryDelay, parseRetryAfter, verdictOf } from './retry.js';

const schedule = [0, 5_000, 300_000];
const mid = () => 0.5;

describe('verdictOf', () => {
  it('treats 2xx as success, 410 as gone and everything else as retryable', () => {
    expect(verdictOf(200)).toBe('success');
    expect(verdictOf(204)).toBe('success');
    expect(verdictOf(410)).toBe('gone');
    for (const s of [301, 302, 400, 404, 429, 500, 503]) expect(verdictOf(s)).toBe('retry');
    expect(verdictOf(null)).toBe('retry');
  });
});

describe('nextRetryDelay', () => {
  it('follows the schedule and ends when it is used up', () => {
    expect(nextRetryDelay(schedule, 1, undefined, mid)).toBe(5_000);
    expect(nextRetryDelay(schedule, 2, undefined, mid)).toBe(300_000);
    expect(nextRetryDelay(schedule, 3, undefined, mid)).toBeNull();
  });

  it('adds at most ±10 % jitter', () => {
    expect(nextRetryDelay(schedule, 1, undefined, () => 0)).toBe(4_500);
    expect(nextRetryDelay(schedule, 1, undefined, () => 0.999999)).toBe(5_500);
  });

  it('honours Retry-After as a minimum, capped at the longest step', () => {
    expect(nextRetryDelay(schedule, 1, 60_000, mid)).toBe(60_000);
    expect(nextRetryDelay(schedule, 1, 1_000, mid)).toBe(5_000);
    expect(nextRetryDelay(schedule, 1, 86_400_000, mid)).toBe(300_000);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent or malformed values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
