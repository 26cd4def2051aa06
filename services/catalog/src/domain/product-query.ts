import { invalid } from '@pi/service';

/** Text filters are case-insensitive substrings; `q` looks in sku, name and description. */
export interface ProductFilter {
  q?: string;
  sku?: string;
  name?: string;
  description?: string;
  active?: boolean;
}

export const TEXT_FILTERS = ['q', 'sku', 'name', 'description'] as const;

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** Trims text filters and drops empty ones, so `?q=` means "no search". */
export function cleanFilter(filter: ProductFilter): ProductFilter {
  const out: ProductFilter = {};
  for (const key of TEXT_FILTERS) {
    const value = filter[key]?.trim();
    if (value) out[key] = value;
  }
  if (filter.active !== undefined) out.active = filter.active;
  return out;
}

export const hasText = (f: ProductFilter) => TEXT_FILTERS.some((k) => f[k] !== undefined);

export const isUnfiltered = (f: ProductFilter) => f.active === undefined && !hasText(f);

/** `0`/absent means the default; anything outside 1..MAX_LIMIT is refused. */
export function cleanLimit(limit: number | undefined): number {
  if (limit === undefined || limit === 0) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw invalid(`limit must be a whole number from 1 to ${MAX_LIMIT}`, { field: 'limit' });
  }
  return limit;
}

/** A LIKE pattern matching `term` anywhere: `%`, `_` and `\` in the term match themselves. */
export const containsPattern = (term: string) => `%${term.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * Whether a term's search key (its letters and digits) is long enough for the trigram index to find
 * candidates; PostgreSQL computes the key itself, this only decides whether to ask it.
 */
export const hasTrigram = (term: string) => term.replace(/[^\p{L}\p{N}]+/gu, '').length >= 3;

/**
 * Pages are ordered newest first (`id desc`). The cursor is the last id of the previous page,
 * opaque to clients: base64url of `{"id":"<id>"}`.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ id: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw malformedCursor();
  }
  const id = (parsed as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || !/^[1-9][0-9]{0,18}$/.test(id)) throw malformedCursor();
  return id;
}

const malformedCursor = () =>
  invalid('cursor is malformed; use the nextCursor of a previous page', { field: 'cursor' });
