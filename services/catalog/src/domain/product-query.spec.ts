import { AppError } from '@pi/service';
import { describe, expect, it } from 'vitest';
import {
  cleanFilter,
  cleanLimit,
  containsPattern,
  decodeCursor,
  encodeCursor,
  isUnfiltered,
} from './product-query.js';

const detailsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).details;
  }
  throw new Error('expected an error');
};

describe('product queries', () => {
  it('round-trips a cursor and keeps it opaque (base64url)', () => {
    const cursor = encodeCursor('123456');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toBe('123456');
    expect(decodeCursor('')).toBeUndefined();
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['a number id', Buffer.from('{"id":5}').toString('base64url')],
    ['a negative id', Buffer.from('{"id":"-5"}').toString('base64url')],
    ['no id', Buffer.from('{}').toString('base64url')],
    ['null', Buffer.from('null').toString('base64url')],
  ])('refuses a cursor with %s', (_case, cursor) => {
    expect(detailsOf(() => decodeCursor(cursor))).toEqual({ field: 'cursor' });
  });

  it('defaults the limit and refuses one out of range', () => {
    expect(cleanLimit(undefined)).toBe(50);
    expect(cleanLimit(0)).toBe(50);
    expect(cleanLimit(500)).toBe(500);
    for (const bad of [-1, 501, 1.5]) {
      expect(detailsOf(() => cleanLimit(bad))).toEqual({ field: 'limit' });
    }
  });

  it('drops blank text filters and keeps active=false', () => {
    const f = cleanFilter({ q: '  ', sku: ' A ', active: false });
    expect(f).toEqual({ sku: 'A', active: false });
    expect(isUnfiltered(f)).toBe(false);
    expect(isUnfiltered(cleanFilter({ q: ' ' }))).toBe(true);
  });

  it('escapes LIKE wildcards so they match themselves', () => {
    expect(containsPattern('100%_a\\b')).toBe('%100\\%\\_a\\\\b%');
  });
});
