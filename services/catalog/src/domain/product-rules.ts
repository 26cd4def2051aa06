import { invalid } from '@pi/service';

/** Field limits of SPEC §3, counted in characters (code points) after trimming. */
export const LIMITS = {
  sku: { min: 1, max: 255 },
  name: { min: 1, max: 1000 },
  description: { min: 0, max: 20_000 },
} as const;

export type TextField = keyof typeof LIMITS;

/** Trims a text field and checks its length; the error names the field. */
export function cleanText(field: TextField, value: string): string {
  const trimmed = value.trim();
  const length = [...trimmed].length;
  const { min, max } = LIMITS[field];
  if (length < min) throw invalid(`${field} is required`, { field });
  if (length > max) {
    throw invalid(`${field} must be at most ${max} characters (got ${length})`, { field });
  }
  return trimmed;
}

export interface NewProduct {
  sku: string;
  name: string;
  description: string;
  /** Undefined when not given: the product is active, and the flag carries no version. */
  active: boolean | undefined;
}

export interface ProductChanges {
  sku?: string;
  name?: string;
  description?: string;
  active?: boolean;
}

export function cleanNewProduct(input: {
  sku: string;
  name: string;
  description?: string;
  active?: boolean;
}): NewProduct {
  return {
    sku: cleanText('sku', input.sku),
    name: cleanText('name', input.name),
    description: cleanText('description', input.description ?? ''),
    active: input.active,
  };
}

/** Cleans the fields a patch gives; absent fields stay absent. */
export function cleanChanges(input: ProductChanges): ProductChanges {
  const out: ProductChanges = {};
  for (const field of ['sku', 'name', 'description'] as const) {
    const value = input[field];
    if (value !== undefined) out[field] = cleanText(field, value);
  }
  if (input.active !== undefined) out.active = input.active;
  return out;
}

/** A product id is a positive integer (bigint identity) written in decimal. */
export function parseProductId(id: string): string {
  if (!/^[1-9][0-9]{0,18}$/.test(id)) throw invalid(`"${id}" is not a product id`, { field: 'id' });
  return id;
}
