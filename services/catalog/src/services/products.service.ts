import { Readable, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import { newEvent } from '@pi/contracts';
import type { Product } from '@pi/proto';
import { conflict, invalid, notFound } from '@pi/service';
import { skuKey } from '../domain/sku.js';
import {
  cleanChanges,
  cleanNewProduct,
  parseProductId,
  type ProductChanges,
} from '../domain/product-rules.js';
import {
  cleanFilter,
  cleanLimit,
  decodeCursor,
  encodeCursor,
  hasText,
  isUnfiltered,
  type ProductFilter,
} from '../domain/product-query.js';
import type { CatalogStore } from '../repositories/catalog-store.js';
import type { ProductRow, ProductValues } from '../repositories/products.repository.js';

/**
 * Filtered totals are exact up to this many matches; past it the answer says "at least" instead of
 * counting every match of a broad search on each page. The unfiltered total is always exact.
 */
export const COUNT_BOUND = 1000;

const EXPORT_BATCH = 1000;

export interface ProductPage {
  items: Product[];
  nextCursor: string;
  total: number;
  /** True when `total` is COUNT_BOUND and more products match. */
  totalCapped: boolean;
}

/** Aggregate id of events about the whole catalogue. */
const CATALOGUE = 'products';

/** Product rules: validation, the 409 on a taken SKU, write versions, tombstones, events. */
export class ProductsService {
  constructor(private readonly store: CatalogStore) {}

  async get(id: string): Promise<Product> {
    const row = await this.store.repos.products.findById(parseProductId(id));
    if (!row) throw productNotFound(id);
    return toProduct(row);
  }

  async list(request: {
    filter: ProductFilter;
    limit?: number;
    cursor?: string;
  }): Promise<ProductPage> {
    const filter = cleanFilter(request.filter);
    const limit = cleanLimit(request.limit);
    const after = decodeCursor(request.cursor);
    const { products } = this.store.repos;
    const unfiltered = isUnfiltered(filter);
    const indexed = await this.searchIndexed(filter);
    // One row more than asked tells whether another page exists.
    const [rows, counted] = await Promise.all([
      products.list(filter, after, limit + 1, indexed),
      unfiltered ? products.countAll() : products.count(filter, COUNT_BOUND + 1, indexed),
    ]);
    const page = rows.slice(0, limit);
    const totalCapped = !unfiltered && counted > COUNT_BOUND;
    return {
      items: page.map(toProduct),
      nextCursor: rows.length > limit ? encodeCursor(String(page.at(-1)!.id)) : '',
      total: totalCapped ? COUNT_BOUND : counted,
      totalCapped,
    };
  }

  /** Text searches read product_search alone when it is caught up (one cheap probe). */
  private async searchIndexed(filter: ProductFilter): Promise<boolean> {
    return hasText(filter) && (await this.store.repos.search.caughtUp());
  }

  async create(input: {
    sku: string;
    name: string;
    description?: string;
    active?: boolean;
  }): Promise<Product> {
    const clean = cleanNewProduct(input);
    return this.store.transaction(async (tx) => {
      const epoch = await tx.products.nextEpoch();
      const row = await tx.products.insert(
        { ...clean, sku_key: skuKey(clean.sku), active: clean.active ?? true },
        { epoch, line: 0 },
        clean.active !== undefined,
      );
      if (!row) throw skuTaken(clean.sku);
      const product = toProduct(row);
      await tx.outbox.add(newEvent('product.created', product.id, { product }));
      return product;
    });
  }

  async update(id: string, input: ProductChanges): Promise<Product> {
    const productId = parseProductId(id);
    const changes = cleanChanges(input);
    return this.store.transaction(async (tx) => {
      await tx.products.lockTombstonesForWrite();
      const current = await tx.products.lockById(productId);
      if (!current) throw productNotFound(id);
      if (Object.keys(changes).length === 0) return toProduct(current);
      const values: ProductValues = {
        sku: changes.sku ?? current.sku,
        sku_key: skuKey(changes.sku ?? current.sku),
        name: changes.name ?? current.name,
        description: changes.description ?? current.description,
        active: changes.active ?? current.active,
      };
      const version = { epoch: await tx.products.nextEpoch(), line: 0 };
      const bump = {
        text: ['sku', 'name', 'description'].some((f) => f in changes),
        active: changes.active !== undefined,
      };
      const row = await tx.products
        .update(productId, values, version, bump)
        .catch((err: unknown) => {
          throw isUniqueViolation(err) ? skuTaken(values.sku) : err;
        });
      // A new SKU retires the old one exactly like a delete would.
      if (values.sku_key !== current.sku_key) {
        await tx.products.writeTombstone(current.sku_key, version);
      }
      const product = toProduct(row);
      await tx.outbox.add(
        newEvent('product.updated', product.id, { product, previous: toProduct(current) }),
      );
      return product;
    });
  }

  async delete(id: string): Promise<void> {
    const productId = parseProductId(id);
    await this.store.transaction(async (tx) => {
      await tx.products.lockTombstonesForWrite();
      const row = await tx.products.deleteById(productId);
      if (!row) throw productNotFound(id);
      const epoch = await tx.products.nextEpoch();
      await tx.products.writeTombstone(row.sku_key, { epoch, line: 0 });
      await tx.search.deleteDocument(productId);
      const product = toProduct(row);
      await tx.outbox.add(newEvent('product.deleted', product.id, { product }));
    });
  }

  /** TRUNCATE, not DELETE: constant time whatever the size (README has the figures). */
  async deleteAll(confirm: boolean): Promise<number> {
    if (!confirm) {
      throw invalid('Deleting every product cannot be undone; repeat with confirm=true', {
        field: 'confirm',
      });
    }
    return this.store.transaction(async (tx) => {
      await tx.products.lockAll();
      const deleted = await tx.products.countAll();
      await tx.products.truncateAll();
      await tx.search.requestClear();
      await tx.outbox.add(newEvent('products.deleted_all', CATALOGUE, { deleted }));
      return deleted;
    });
  }

  /**
   * CSV `sku,name,description,active` of every matching product, newest first, read in keyset
   * batches (no long transaction) and produced only as fast as the reader consumes it.
   */
  exportCsv(filter: ProductFilter): Readable {
    const csv = stringify({
      header: true,
      columns: ['sku', 'name', 'description', 'active'],
      cast: { boolean: (v) => (v ? 'true' : 'false') },
    });
    pipeline(Readable.from(this.exportRows(cleanFilter(filter))), csv, () => undefined);
    return csv;
  }

  private async *exportRows(filter: ProductFilter) {
    let after: string | undefined;
    for (;;) {
      const rows = await this.store.repos.products.list(
        filter,
        after,
        EXPORT_BATCH,
        await this.searchIndexed(filter),
      );
      for (const r of rows) {
        yield { sku: r.sku, name: r.name, description: r.description, active: r.active };
      }
      if (rows.length < EXPORT_BATCH) return;
      after = String(rows.at(-1)!.id);
    }
  }
}

export function toProduct(row: ProductRow): Product {
  return {
    id: String(row.id),
    sku: row.sku,
    name: row.name,
    description: row.description,
    active: row.active,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const productNotFound = (id: string) => notFound(`Product ${id} does not exist`);

const skuTaken = (sku: string) =>
  conflict(`A product with SKU "${sku}" already exists (SKUs ignore letter case)`, {
    field: 'sku',
  });

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === '23505';
