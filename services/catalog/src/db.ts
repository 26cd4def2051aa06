import type { Generated } from '@pi/db';

export interface ProductsTable {
  id: Generated<string>;
  sku: string;
  sku_key: string;
  name: string;
  description: string;
  active: boolean;
  version_epoch: number;
  version_line: number;
  /** Version of the write that last gave `active`; (0, 0) when none did. */
  active_epoch: Generated<number>;
  active_line: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AppliedChunksTable {
  import_id: string;
  seq: number;
  rows: number;
  inserted: number;
  updated: number;
  applied_at: Generated<Date>;
}

export interface ProductTombstonesTable {
  sku_key: string;
  version_epoch: number;
  version_line: number;
  deleted_at: Generated<Date>;
}

/** Searchable text of a product, maintained off the write path (see SearchIndexer). */
export interface ProductSearchTable {
  product_id: string;
  sku: string;
  name: string;
  description: string;
  active: boolean;
  /** `product_search_key(sku name description)`: what the trigram index covers. */
  search_key: string;
}

/** Appended by triggers on every statement inserting or deleting products; their sum is the count. */
export interface ProductCountDeltasTable {
  delta: number;
}

/** Products written since the indexer last folded them into product_search (filled by a trigger). */
export interface SearchBacklogTable {
  seq: Generated<string>;
  product_id: string;
}

/** Product events committed with the write that caused them, until the relay publishes them. */
export interface OutboxTable {
  id: Generated<string>;
  event_id: string;
  event_type: string;
  envelope: Uint8Array;
  created_at: Generated<Date>;
  published_at: Date | null;
}

export interface CatalogDatabase {
  products: ProductsTable;
  applied_chunks: AppliedChunksTable;
  product_tombstones: ProductTombstonesTable;
  product_search: ProductSearchTable;
  search_backlog: SearchBacklogTable;
  outbox: OutboxTable;
  product_count_deltas: ProductCountDeltasTable;
}
