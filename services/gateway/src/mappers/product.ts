import type { ProductDto, ProductInput, ProductListDto, ProductPatch, ProductQuery } from '@pi/api';
import type { ListProductsResponse, Product, ProductFilter } from '@pi/proto';
import { AppError, invalid } from '@pi/service';

/** A product as the REST API shows it (SPEC §4). */
export function toProductDto(p: Product): ProductDto {
  if (!p.createdAt || !p.updatedAt) {
    throw new AppError('internal', `Product ${p.id} has no timestamps`);
  }
  return {
    id: p.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    active: p.active,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function toProductListDto(r: ListProductsResponse): ProductListDto {
  return {
    items: r.items.map(toProductDto),
    nextCursor: r.nextCursor || null,
    total: r.total,
    totalCapped: r.totalCapped,
  };
}

type RawQuery = Record<string, unknown>;

/** One query-string value; a repeated parameter is refused rather than guessed at. */
function single(query: RawQuery, key: string): string | undefined {
  const v = query[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(`${key} must be given once`, { field: key });
  return v;
}

function parseBool(value: string | undefined, field: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalid(`${field} must be true or false`, { field });
}

/** `GET /api/products` query string → ProductQuery; bad values are 400s naming the parameter. */
export function parseProductQuery(query: RawQuery): ProductQuery {
  const limit = single(query, 'limit');
  // 0 would mean "the default" to the catalog; here it is just out of range.
  if (limit !== undefined && !/^[1-9]\d*$/.test(limit)) {
    throw invalid('limit must be a whole number from 1 to 500', { field: 'limit' });
  }
  return {
    q: single(query, 'q'),
    sku: single(query, 'sku'),
    name: single(query, 'name'),
    description: single(query, 'description'),
    active: parseBool(single(query, 'active'), 'active'),
    limit: limit === undefined ? undefined : Number(limit),
    cursor: single(query, 'cursor'),
  };
}

export const toProductFilter = (q: ProductQuery): ProductFilter => ({
  q: q.q,
  sku: q.sku,
  name: q.name,
  description: q.description,
  active: q.active,
});

export const parseConfirm = (query: RawQuery): boolean =>
  parseBool(single(query, 'confirm'), 'confirm') ?? false;

const TEXT_FIELDS = ['sku', 'name', 'description'] as const;

/** A JSON body's fields, type-checked; lengths and trimming are the catalog's rules. */
function parseFields(body: unknown): ProductPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  const out: ProductPatch = {};
  for (const field of TEXT_FIELDS) {
    const v = b[field];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw invalid(`${field} must be a string`, { field });
    out[field] = v;
  }
  if (b.active !== undefined) {
    if (typeof b.active !== 'boolean') {
      throw invalid('active must be true or false', { field: 'active' });
    }
    out.active = b.active;
  }
  return out;
}

export function parseProductInput(body: unknown): ProductInput {
  const fields = parseFields(body);
  for (const field of ['sku', 'name'] as const) {
    if (fields[field] === undefined) throw invalid(`${field} is required`, { field });
  }
  return fields as ProductInput;
}

export const parseProductPatch = (body: unknown): ProductPatch => parseFields(body);
