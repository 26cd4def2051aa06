import type { ImportDto } from '@pi/api';
import { TERMINAL_IMPORT_STATUSES } from '@pi/api';
import { expect, vi } from 'vitest';

/** `count` products as CSV: SKU-0001…, every third one inactive. */
export function productsCsv(count: number, prefix = 'SKU'): string {
  const rows = ['sku,name,description,active'];
  for (let i = 1; i <= count; i++) {
    const n = String(i).padStart(4, '0');
    rows.push(
      `${prefix}-${n},Product ${n},Description of product ${n},${i % 3 === 0 ? 'no' : 'yes'}`,
    );
  }
  return `${rows.join('\n')}\n`;
}

/** Seeds data through the public API (not the UI under test) and waits for the import to end. */
export async function importThroughApi(baseUrl: string, csv: string): Promise<ImportDto> {
  const res = await fetch(`${baseUrl}/api/imports?filename=seed.csv`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: csv,
  });
  expect(res.status).toBe(202);
  const created = (await res.json()) as ImportDto;
  const dto = await vi.waitFor(
    async () => {
      const res = await fetch(`${baseUrl}/api/imports/${created.id}`);
      const current = (await res.json()) as ImportDto;
      if (!TERMINAL_IMPORT_STATUSES.includes(current.status)) throw new Error('still running');
      return current;
    },
    { timeout: 60_000, interval: 250 },
  );
  expect(dto.status).toBe('completed');
  return dto;
}
