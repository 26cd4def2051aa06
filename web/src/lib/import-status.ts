import type { ImportDto, ImportStatus } from '@pi/api';

/** The stage names a user sees; "uploading" happens before the import exists on the server. */
export const STAGE_LABELS: Record<ImportStatus | 'uploading', string> = {
  uploading: 'Uploading',
  queued: 'Queued',
  parsing: 'Parsing',
  importing: 'Importing',
  completed: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export type Tone = 'neutral' | 'progress' | 'success' | 'danger' | 'warning';

export const STATUS_TONES: Record<ImportStatus, Tone> = {
  queued: 'neutral',
  parsing: 'progress',
  importing: 'progress',
  completed: 'success',
  failed: 'danger',
  cancelled: 'warning',
};

/**
 * How far along an import is, 0–1: rows once the total is known, bytes read before that
 * (parsing), and 1 once completed.
 */
export function importFraction(dto: ImportDto): number {
  if (dto.status === 'completed') return 1;
  if (dto.totalRows !== null && dto.totalRows > 0) return dto.processedRows / dto.totalRows;
  if (dto.totalBytes > 0) return dto.bytesRead / dto.totalBytes;
  return 0;
}

/** How long a finished import ran (start to finish), or null while it runs or without times. */
export function importDurationMs(dto: ImportDto): number | null {
  if (!dto.startedAt || !dto.finishedAt) return null;
  const ms = Date.parse(dto.finishedAt) - Date.parse(dto.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}
