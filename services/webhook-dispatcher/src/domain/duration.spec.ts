import { describe, expect, it } from 'vitest';
import { parseDuration, parseSchedule } from './duration.js';

describe('parseDuration', () => {
  it('reads every unit', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('5s')).toBe(5_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('30d')).toBe(2_592_000_000);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration(' 0 ')).toBe(0);
  });

  it('refuses numbers without a unit and unknown units', () => {
    expect(() => parseDuration('5')).toThrow(/"5" is not a duration/);
    expect(() => parseDuration('5w')).toThrow(/not a duration/);
    expect(() => parseDuration('-1s')).toThrow(/not a duration/);
    expect(() => parseDuration('')).toThrow(/not a duration/);
  });
});

describe('parseSchedule', () => {
  it('reads the default schedule', () => {
    expect(parseSchedule('0,5s,5m,30m,2h,5h,10h,10h')).toEqual([
      0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
  });

  it('tolerates spaces and refuses an empty or malformed list', () => {
    expect(parseSchedule(' 0 , 200ms ')).toEqual([0, 200]);
    expect(() => parseSchedule(' , ')).toThrow(/at least one step/);
    expect(() => parseSchedule('0,soon')).toThrow(/"soon" is not a duration/);
  });
});
