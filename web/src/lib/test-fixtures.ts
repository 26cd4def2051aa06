import type { ImportDto } from '@pi/api';

/** An import as the API returns it, for unit tests; override what the test is about. */
export function importDto(overrides: Partial<ImportDto> = {}): ImportDto {
  return {
    id: 'imp-1',
    filename: 'products.csv',
    status: 'importing',
    totalBytes: 1000,
    bytesRead: 0,
    totalRows: null,
    processedRows: 0,
    inserted: 0,
    updated: 0,
    rejected: 0,
    rowsPerSecond: 0,
    etaSeconds: null,
    error: null,
    warnings: [],
    createdAt: '2026-11-22T21:00:00Z',
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}
