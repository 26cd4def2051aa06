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
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CatalogDatabase {
  products: ProductsTable;
}
