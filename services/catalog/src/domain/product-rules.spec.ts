import { AppError } from '@pi/service';
import { describe, expect, it } from 'vitest';
import { cleanChanges, cleanNewProduct, cleanText, parseProductId } from './product-rules.js';

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('invalid_argument');
    return (err as AppError).details?.field;
  }
  throw new Error('expected a validation error');
};

describe('product rules', () => {
  it('trims and keeps values within the limits', () => {
    expect(cleanNewProduct({ sku: ' A-1 ', name: '\tLamp\n', description: ' d ' })).toEqual({
      sku: 'A-1',
      name: 'Lamp',
      description: 'd',
      active: undefined,
    });
  });

  it.each([
    ['sku', ''],
    ['sku', '   '],
    ['sku', 'x'.repeat(256)],
    ['name', ''],
    ['name', 'x'.repeat(1001)],
    ['description', 'x'.repeat(20_001)],
  ] as const)('refuses %s of length %#, naming the field', (field, value) => {
    expect(fieldOf(() => cleanText(field, value))).toBe(field);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(cleanText('sku', '😀'.repeat(255))).toHaveLength(510);
    expect(fieldOf(() => cleanText('sku', '😀'.repeat(256)))).toBe('sku');
  });

  it('lets the description be empty', () => {
    expect(cleanNewProduct({ sku: 'a', name: 'b' }).description).toBe('');
  });

  it('cleans only the fields a patch gives', () => {
    expect(cleanChanges({ name: ' n ' })).toEqual({ name: 'n' });
    expect(cleanChanges({ active: false })).toEqual({ active: false });
    expect(fieldOf(() => cleanChanges({ sku: ' ' }))).toBe('sku');
  });

  it.each(['0', '-1', 'abc', '1.5', '01', '12345678901234567890'])('refuses the id %s', (id) => {
    expect(fieldOf(() => parseProductId(id))).toBe('id');
  });

  it('accepts a decimal id', () => {
    expect(parseProductId('42')).toBe('42');
  });
});
