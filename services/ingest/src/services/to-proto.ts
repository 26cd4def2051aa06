import { ImportStatus, type Import } from '@pi/proto';
import type { ImportRow, ImportState } from '../db.js';

const STATUS: Record<ImportState, ImportStatus> = {
  uploading: ImportStatus.IMPORT_STATUS_QUEUED,
  queued: ImportStatus.IMPORT_STATUS_QUEUED,
  splitting: ImportStatus.IMPORT_STATUS_PARSING,
  split: ImportStatus.IMPORT_STATUS_IMPORTING,
  completed: ImportStatus.IMPORT_STATUS_COMPLETED,
  failed: ImportStatus.IMPORT_STATUS_FAILED,
  cancelled: ImportStatus.IMPORT_STATUS_CANCELLED,
};

/**
 * Ingest's view of an import, answered to commands. Live progress (rows/s, ETA, applied counts)
 * is the progress projection's job; this is the state right after the command.
 */
export function toImportProto(i: ImportRow): Import {
  const applied = i.inserted + i.updated;
  return {
    id: i.id,
    filename: i.filename,
    status: STATUS[i.state],
    totalBytes: i.size_bytes ?? i.size_hint ?? 0,
    bytesRead: i.bytes_read,
    totalRows: i.total_rows ?? undefined,
    processedRows: i.state === 'completed' ? applied + i.rejected : i.rows_read,
    inserted: i.inserted,
    updated: i.updated,
    rejected: i.rejected,
    rowsPerSecond: 0,
    etaSeconds: undefined,
    error: i.error ?? undefined,
    warnings: i.warnings,
    createdAt: i.created_at,
    startedAt: i.started_at ?? undefined,
    finishedAt: i.finished_at ?? undefined,
  };
}
