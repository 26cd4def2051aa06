import type { ChunkRow } from '@pi/proto';
import type { HeaderLayout } from './header.js';

/** Limits of SPEC §3, in characters (Unicode code points). */
export const LIMITS = { sku: 255, name: 1_000, description: 20_000 } as const;

const ACTIVE_VALUES = new Map<string, boolean>([
  ['true', true],
  ['1', true],
  ['yes', true],
  ['false', false],
  ['0', false],
  ['no', false],
]);

export type RowCheck = { ok: true; row: ChunkRow } | { ok: false; reason: string };

/** UTF-16 length is an upper bound of the code point count, so most values skip the exact count. */
function charCount(s: string, limit: number): number {
  return s.length <= limit ? s.length : [...s].length;
}

function checkLength(field: keyof typeof LIMITS, value: string): string | undefined {
  const limit = LIMITS[field];
  const n = charCount(value, limit);
  return n > limit ? `${field} is ${n} characters long; the limit is ${limit}` : undefined;
}

/** Parses `active`: true/false, 1/0, yes/no in any case; blank means "not given". */
export function parseActive(value: string): boolean | undefined | 'invalid' {
  if (value === '') return undefined;
  return ACTIVE_VALUES.get(value.toLowerCase()) ?? 'invalid';
}

/** Trims and checks one data row; a bad row is rejected on its own with a reason. */
export function validateRow(
  fields: readonly string[],
  layout: HeaderLayout,
  line: number,
): RowCheck {
  if (fields.length !== layout.width) {
    return {
      ok: false,
      reason: `Expected ${layout.width} fields like the header, found ${fields.length}`,
    };
  }
  const sku = fields[layout.sku]!.trim();
  const name = fields[layout.name]!.trim();
  const description = layout.description === undefined ? '' : fields[layout.description]!.trim();
  const activeText = layout.active === undefined ? '' : fields[layout.active]!.trim();
  if (sku === '') return { ok: false, reason: 'sku is empty' };
  if (name === '') return { ok: false, reason: 'name is empty' };
  const tooLong =
    checkLength('sku', sku) ?? checkLength('name', name) ?? checkLength('description', description);
  if (tooLong) return { ok: false, reason: tooLong };
  const active = parseActive(activeText);
  if (active === 'invalid') {
    return {
      ok: false,
      reason: `active is "${activeText}"; use true/false, 1/0 or yes/no, or leave it blank`,
    };
  }
  return { ok: true, row: { line, sku, name, description, active } };
}
