import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatTotal,
  formatDate,
  formatDuration,
  formatEta,
  formatPercent,
  formatRate,
  truncate,
} from './format';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KB'],
    [80 * 1024 * 1024, '80.0 MB'],
    [3 * 1024 ** 4, '3.0 TB'],
  ])('%d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

  it('shows a dash for impossible sizes', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatRate', () => {
  it('rounds and groups thousands', () => expect(formatRate(12345.6)).toBe('12,346 rows/s'));
  it('shows a dash before there is a rate', () => {
    expect(formatRate(0)).toBe('—');
    expect(formatRate(Number.POSITIVE_INFINITY)).toBe('—');
  });
});

describe('formatEta', () => {
  it.each([
    [0, '0s'],
    [44.2, '45s'],
    [185, '3m 05s'],
    [3720, '1h 02m'],
  ])('%d s → %s', (seconds, text) => expect(formatEta(seconds)).toBe(text));

  it('is a dash when unknown', () => {
    expect(formatEta(null)).toBe('—');
    expect(formatEta(-5)).toBe('—');
  });
});

describe('formatPercent', () => {
  it('floors so 100% means done', () => expect(formatPercent(0.999)).toBe('99%'));
  it('clamps', () => {
    expect(formatPercent(1.7)).toBe('100%');
    expect(formatPercent(-0.2)).toBe('0%');
    expect(formatPercent(Number.NaN)).toBe('0%');
  });
});

describe('other formats', () => {
  it('counts with separators', () => expect(formatCount(500000)).toBe('500,000'));
  it('durations in ms or s', () => {
    expect(formatDuration(84.4)).toBe('84 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
  });
  it('dates, or a dash for none and garbage', () => {
    const utc = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
    expect(formatDate('2026-11-22T21:05:00Z', utc)).toBe('22 Nov 2026');
    expect(formatDate(null)).toBe('—');
    expect(formatDate('not a date')).toBe('—');
  });
  it('truncates with an ellipsis only when needed', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('a long description here', 10)).toBe('a long de…');
    expect(truncate('abc def ghi', 5)).toBe('abc…');
  });
});

describe('formatTotal', () => {
  it('marks a capped total with a plus', () => {
    expect(formatTotal({ total: 1000, totalCapped: true })).toBe('1,000+');
    expect(formatTotal({ total: 42, totalCapped: false })).toBe('42');
  });
});
