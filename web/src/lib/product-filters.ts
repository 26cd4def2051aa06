import type { ProductQuery } from '@pi/api';
import { queryString } from '$lib/api/client';

export type ActiveFilter = 'all' | 'active' | 'inactive';

/** What the products page shows; it lives in the URL so a view can be shared and reloaded. */
export interface ProductFilters {
  q: string;
  sku: string;
  name: string;
  description: string;
  active: ActiveFilter;
  /** Keyset cursor of the current page; empty on the first page. */
  cursor: string;
}

export const EMPTY_FILTERS: ProductFilters = {
  q: '',
  sku: '',
  name: '',
  description: '',
  active: 'all',
  cursor: '',
};

const TEXT_KEYS = ['q', 'sku', 'name', 'description', 'cursor'] as const;

export function filtersFromSearch(search: URLSearchParams): ProductFilters {
  const filters = { ...EMPTY_FILTERS };
  for (const key of TEXT_KEYS) filters[key] = search.get(key) ?? '';
  const active = search.get('active');
  filters.active = active === 'true' ? 'active' : active === 'false' ? 'inactive' : 'all';
  return filters;
}

/** The API's query for these filters (blank filters left out). */
export function toProductQuery(filters: ProductFilters, limit?: number): ProductQuery {
  const query: ProductQuery = {};
  for (const key of TEXT_KEYS) {
    const value = filters[key].trim();
    if (value) query[key] = value;
  }
  if (filters.active !== 'all') query.active = filters.active === 'active';
  if (limit !== undefined) query.limit = limit;
  return query;
}

/** `?q=…&active=true` in the same names the API uses, so the URL reads like the API call. */
export function filtersToSearch(filters: ProductFilters): string {
  return queryString(toProductQuery(filters));
}

/** Whether any filter narrows the list (the cursor only pages through it). */
export function isFiltered(filters: ProductFilters): boolean {
  return Object.keys(toProductQuery({ ...filters, cursor: '' })).length > 0;
}
