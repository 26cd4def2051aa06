import type { Generated, Selectable } from '@pi/db';

export type ImportState =
  'uploading' | 'queued' | 'splitting' | 'split' | 'completed' | 'failed' | 'cancelled';

export const OPEN_STATES: readonly ImportState[] = ['uploading', 'queued', 'splitting', 'split'];

export interface IngestImportsTable {
  id: string;
  filename: string;
  object_key: string;
  epoch: number;
  state: ImportState;
  retry_of: string | null;
  size_hint: number | null;
  size_bytes: number | null;
  header: string[] | null;
  bytes_read: Generated<number>;
  rows_read: Generated<number>;
  total_rows: number | null;
  valid_rows: number | null;
  rejected: Generated<number>;
  total_chunks: number | null;
  warnings: Generated<string[]>;
  inserted: Generated<number>;
  updated: Generated<number>;
  error: string | null;
  split_attempts: Generated<number>;
  lease_owner: string | null;
  lease_until: Date | null;
  outcome_published: Generated<boolean>;
  created_at: Generated<Date>;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface IngestRejectionsTable {
  import_id: string;
  line: number;
  reason: string;
  fields: string[];
}

export interface IngestChunkResultsTable {
  import_id: string;
  seq: number;
  rows: number;
  inserted: number;
  updated: number;
}

export interface IngestDatabase {
  ingest_imports: IngestImportsTable;
  ingest_rejections: IngestRejectionsTable;
  ingest_chunk_results: IngestChunkResultsTable;
}

export type ImportRow = Selectable<IngestImportsTable>;
export type RejectionRow = Selectable<IngestRejectionsTable>;
