/** The case-insensitive identity of a product: its trimmed SKU, lower-cased. */
export const skuKey = (sku: string): string => sku.trim().toLowerCase();
