import type { ImportDto, ImportStatus as ImportStatusDto } from '@pi/api';
import { ImportStatus, type Import } from '@pi/proto';
import { AppError } from '@pi/service';

const STATUS: Record<ImportStatus, ImportStatusDto | undefined> = {
  [ImportStatus.IMPORT_STATUS_QUEUED]: 'queued',
  [ImportStatus.IMPORT_STATUS_PARSING]: 'parsing',
  [ImportStatus.IMPORT_STATUS_IMPORTING]: 'importing',
  [ImportStatus.IMPORT_STATUS_COMPLETED]: 'completed',
  [ImportStatus.IMPORT_STATUS_FAILED]: 'failed',
  [ImportStatus.IMPORT_STATUS_CANCELLED]: 'cancelled',
  [ImportStatus.IMPORT_STATUS_UNSPECIFIED]: undefined,
  [ImportStatus.UNRECOGNIZED]: undefined,
};

const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

/** An import as the REST API shows it (SPEC §4). */
export function toImportDto(i: Import): ImportDto {
  const status = STATUS[i.status];
  // Either gap means a contract mismatch between services, not bad user input.
  if (!status) throw new AppError('internal', `Import ${i.id} has no known status (${i.status})`);
  if (!i.createdAt) throw new AppError('internal', `Import ${i.id} has no creation time`);
  return {
    id: i.id,
    filename: i.filename,
    status,
    totalBytes: i.totalBytes,
    bytesRead: i.bytesRead,
    totalRows: i.totalRows ?? null,
    processedRows: i.processedRows,
    inserted: i.inserted,
    updated: i.updated,
    rejected: i.rejected,
    rowsPerSecond: i.rowsPerSecond,
    etaSeconds: i.etaSeconds ?? null,
    error: i.error ?? null,
    warnings: [...i.warnings],
    createdAt: i.createdAt.toISOString(),
    startedAt: iso(i.startedAt),
    finishedAt: iso(i.finishedAt),
  };
}
