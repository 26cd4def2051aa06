import { ImportStatus, type Import } from '@pi/proto';
import { isTerminal, type ProgressStatus, type ProgressView } from './fold.js';

const STATUS: Record<ProgressStatus, ImportStatus> = {
  queued: ImportStatus.IMPORT_STATUS_QUEUED,
  parsing: ImportStatus.IMPORT_STATUS_PARSING,
  importing: ImportStatus.IMPORT_STATUS_IMPORTING,
  completed: ImportStatus.IMPORT_STATUS_COMPLETED,
  failed: ImportStatus.IMPORT_STATUS_FAILED,
  cancelled: ImportStatus.IMPORT_STATUS_CANCELLED,
};

/** The import as the public APIs show it; the counts of `import.completed` win once it is in. */
export function toImport(s: ProgressView): Import {
  const inserted = s.final?.inserted ?? s.appliedInserted;
  const updated = s.final?.updated ?? s.appliedUpdated;
  return {
    id: s.importId,
    filename: s.filename,
    status: STATUS[s.status],
    totalBytes: s.totalBytes,
    // Once ingest has read the whole file, every byte is read whatever the last report said.
    bytesRead: s.split || s.final ? Math.max(s.bytesRead, s.totalBytes) : s.bytesRead,
    totalRows: s.final?.totalRows ?? s.split?.totalRows,
    processedRows: (s.final ? inserted + updated : s.appliedRows) + s.rejected,
    inserted,
    updated,
    rejected: s.rejected,
    rowsPerSecond: round1(s.finishedAt ? averageRate(s, inserted + updated) : s.rowsPerSecond),
    etaSeconds: etaSeconds(s),
    error: s.error ?? undefined,
    warnings: [...s.warnings],
    createdAt: s.createdAt,
    startedAt: s.startedAt ?? undefined,
    finishedAt: s.finishedAt ?? undefined,
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * A finished import's rate is its average over the whole run: derived from the totals rather than
 * folded, so it does not depend on whether a late chunk result came before or after the end.
 */
function averageRate(s: ProgressView, rows: number): number {
  const seconds = (s.finishedAt!.getTime() - (s.startedAt ?? s.createdAt).getTime()) / 1000;
  return seconds > 0 ? rows / seconds : 0;
}

/**
 * Seconds left at the current rate. The rows still to apply are exact once ingest has read the
 * whole file; before that they are extrapolated from the share of bytes read so far.
 */
export function etaSeconds(s: ProgressView): number | undefined {
  if (s.status === 'completed') return 0;
  if (isTerminal(s.status) || s.rowsPerSecond <= 0) return undefined;
  const remaining = remainingRows(s);
  return remaining === undefined ? undefined : Math.ceil(remaining / s.rowsPerSecond);
}

function remainingRows(s: ProgressView): number | undefined {
  if (s.split) return Math.max(0, s.split.validRows - s.appliedRows);
  if (s.totalBytes <= 0 || s.bytesRead <= 0) return undefined;
  const validRead = Math.max(0, s.rowsRead - s.rejected);
  const expectedValid = (validRead * s.totalBytes) / s.bytesRead;
  return Math.max(0, expectedValid - s.appliedRows);
}
