/** Where each known column sits in a file's header row (SPEC §3). */
export interface HeaderLayout {
  /** Number of fields every data row must have. */
  width: number;
  sku: number;
  name: number;
  description: number | undefined;
  active: number | undefined;
  /** Columns the importer ignores, as written in the file. */
  ignored: string[];
}

export type HeaderCheck = { ok: true; layout: HeaderLayout } | { ok: false; reason: string };

const KNOWN = ['sku', 'name', 'description', 'active'] as const;
type Known = (typeof KNOWN)[number];
const isKnown = (n: string): n is Known => (KNOWN as readonly string[]).includes(n);

/** Matches header names case-insensitively after trimming; sku and name are required. */
export function checkHeader(fields: readonly string[]): HeaderCheck {
  const positions = new Map<Known, number>();
  const ignored: string[] = [];
  for (const [index, raw] of fields.entries()) {
    const name = raw.trim().toLowerCase();
    if (!isKnown(name)) {
      ignored.push(raw.trim());
      continue;
    }
    if (positions.has(name)) {
      return { ok: false, reason: `The header names the column "${name}" twice` };
    }
    positions.set(name, index);
  }
  const missing = (['sku', 'name'] as const).filter((n) => !positions.has(n));
  if (missing.length) {
    return {
      ok: false,
      reason:
        `The header row lacks the required column${missing.length > 1 ? 's' : ''} ` +
        `${missing.join(' and ')} (found: ${fields.map((f) => f.trim()).join(', ') || 'nothing'})`,
    };
  }
  return {
    ok: true,
    layout: {
      width: fields.length,
      sku: positions.get('sku')!,
      name: positions.get('name')!,
      description: positions.get('description'),
      active: positions.get('active'),
      ignored,
    },
  };
}

/** The warning shown for ignored columns, or none. */
export function ignoredColumnsWarning(layout: HeaderLayout): string | undefined {
  if (!layout.ignored.length) return undefined;
  const names = layout.ignored.map((n) => (n === '' ? '(unnamed)' : n)).join(', ');
  return `Ignored unknown column${layout.ignored.length > 1 ? 's' : ''}: ${names}`;
}
