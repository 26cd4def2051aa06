import { AppError } from '@pi/service';
import { describe, expect, it } from 'vitest';
import {
  parseConfirm,
  parseProductInput,
  parseProductPatch,
  parseProductQuery,
  toProductListDto,
} from './product.js';

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).details?.field;
  }
  throw new Error('expected an error');
};

describe('product REST mapping', () => {
  it('reads a query string', () => {
    expect(parseProductQuery({ q: 'lamp', active: 'false', limit: '20', cursor: 'abc' })).toEqual({
      q: 'lamp',
      sku: undefined,
      name: undefined,
      description: undefined,
      active: false,
      limit: 20,
      cursor: 'abc',
    });
    expect(parseProductQuery({ active: '' }).active).toBeUndefined();
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '-1' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ active: 'yes' }, 'active'],
    [{ q: ['a', 'b'] }, 'q'],
  ])('refuses %o naming the parameter', (query, field) => {
    expect(fieldOf(() => parseProductQuery(query))).toBe(field);
  });

  it('requires confirm=true literally', () => {
    expect(parseConfirm({ confirm: 'true' })).toBe(true);
    expect(parseConfirm({})).toBe(false);
    expect(fieldOf(() => parseConfirm({ confirm: '1' }))).toBe('confirm');
  });

  it('type-checks bodies and names the field', () => {
    expect(parseProductInput({ sku: 'a', name: 'b', active: true, extra: 1 })).toEqual({
      sku: 'a',
      name: 'b',
      active: true,
    });
    expect(fieldOf(() => parseProductInput({ name: 'b' }))).toBe('sku');
    expect(fieldOf(() => parseProductInput({ sku: 'a', name: 1 }))).toBe('name');
    expect(fieldOf(() => parseProductPatch({ active: 'true' }))).toBe('active');
    expect(() => parseProductPatch([])).toThrow(AppError);
    expect(parseProductPatch({})).toEqual({});
  });

  it('maps an empty next cursor to null', () => {
    const at = new Date('2026-01-02T03:04:05Z');
    const dto = toProductListDto({
      items: [
        {
          id: '1',
          sku: 's',
          name: 'n',
          description: '',
          active: true,
          createdAt: at,
          updatedAt: at,
        },
      ],
      nextCursor: '',
      total: 1,
      totalCapped: false,
    });
    expect(dto).toEqual({
      items: [
        {
          id: '1',
          sku: 's',
          name: 'n',
          description: '',
          active: true,
          createdAt: '2026-01-02T03:04:05.000Z',
          updatedAt: '2026-01-02T03:04:05.000Z',
        },
      ],
      nextCursor: null,
      total: 1,
      totalCapped: false,
    });
  });
});
