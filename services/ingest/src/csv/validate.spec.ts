import { describe, expect, it } from 'vitest';
import { checkHeader, type HeaderLayout } from './header.js';
import { LIMITS, parseActive, validateRow } from './validate.js';

const layout = (checkHeader(['sku', 'name', 'description', 'active']) as { layout: HeaderLayout })
  .layout;

describe('checkHeader', () => {
  it('matches names case-insensitively after trimming', () => {
    const check = checkHeader([' Name ', 'SKU', 'Extra']);
    expect(check).toEqual({
      ok: true,
      layout: {
        width: 3,
        sku: 1,
        name: 0,
        description: undefined,
        active: undefined,
        ignored: ['Extra'],
      },
    });
  });

  it('refuses a missing or repeated required column', () => {
    expect(checkHeader(['description'])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/columns sku and name/),
    });
    expect(checkHeader(['sku', 'name', 'SKU'])).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/"sku" twice/),
    });
  });
});

describe('validateRow', () => {
  it('trims values', () => {
    expect(validateRow(['  A ', ' n ', ' d ', ' Yes '], layout, 7)).toEqual({
      ok: true,
      row: { line: 7, sku: 'A', name: 'n', description: 'd', active: true },
    });
  });

  it('counts characters, not UTF-16 units, against the limits', () => {
    const emoji = '😀'.repeat(LIMITS.sku);
    expect(validateRow([emoji, 'n', '', ''], layout, 2).ok).toBe(true);
    expect(validateRow([`${emoji}x`, 'n', '', ''], layout, 2)).toEqual({
      ok: false,
      reason: 'sku is 256 characters long; the limit is 255',
    });
    expect(
      validateRow(['s', 'n', 'd'.repeat(LIMITS.description + 1), ''], layout, 2),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^description is 20001 characters/),
    });
  });
});

describe('parseActive', () => {
  it.each([
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['False', false],
    ['0', false],
    ['NO', false],
    ['', undefined],
    ['y', 'invalid'],
  ])('%s → %s', (input, expected) => {
    expect(parseActive(input)).toBe(expected);
  });
});
