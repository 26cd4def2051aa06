import { describe, expect, it } from 'vitest';
import {
  EMPTY_FILTERS,
  filtersFromSearch,
  filtersToSearch,
  isFiltered,
  toProductQuery,
} from './product-filters';

describe('product filters in the URL', () => {
  it('round-trips every filter through the query string', () => {
    const filters = {
      q: 'chair',
      sku: 'AB',
      name: 'oak',
      description: 'solid',
      active: 'inactive' as const,
      cursor: 'c1',
    };
    const search = filtersToSearch(filters);
    expect(search).toBe('?q=chair&sku=AB&name=oak&description=solid&cursor=c1&active=false');
    expect(filtersFromSearch(new URLSearchParams(search))).toEqual(filters);
  });

  it('leaves blank filters out and trims values', () => {
    expect(filtersToSearch(EMPTY_FILTERS)).toBe('');
    expect(toProductQuery({ ...EMPTY_FILTERS, q: '  lamp ', active: 'active' }, 50)).toEqual({
      q: 'lamp',
      active: true,
      limit: 50,
    });
  });

  it('reads a missing or unknown active value as all', () => {
    expect(filtersFromSearch(new URLSearchParams('active=maybe')).active).toBe('all');
    expect(filtersFromSearch(new URLSearchParams('')).active).toBe('all');
  });

  it('does not count the page cursor as a filter', () => {
    expect(isFiltered({ ...EMPTY_FILTERS, cursor: 'x' })).toBe(false);
    expect(isFiltered({ ...EMPTY_FILTERS, active: 'active' })).toBe(true);
    expect(isFiltered({ ...EMPTY_FILTERS, name: '   ' })).toBe(false);
  });
});
