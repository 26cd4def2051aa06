import type { ColumnType, Selectable } from '@pi/db';
import type { FinalTotals, ProgressStatus, SplitTotals } from './fold.js';

/** jsonb: read as the value, written as JSON text (pg would turn a JS array into a SQL array). */
type Json<T> = ColumnType<T, string | (T & null), string | (T & null)>;

export interface ImportProgressTable {
  import_id: string;
  filename: string;
  status: ProgressStatus;
  total_bytes: number;
  bytes_read: number;
  rows_read: number;
  rejected: number;
  applied_rows: number;
  applied_inserted: number;
  applied_updated: number;
  split_totals: Json<SplitTotals | null>;
  final_totals: Json<FinalTotals | null>;
  rows_per_second: number;
  rate_sample_at: Date | null;
  rate_sample_rows: number;
  error: string | null;
  warnings: Json<string[]>;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  /** Grows by one on every change: the SSE event id and the watchers' change marker. */
  version: number;
}

export interface ImportProgressChunksTable {
  import_id: string;
  seq: number;
}

export interface GatewayDatabase {
  import_progress: ImportProgressTable;
  import_progress_chunks: ImportProgressChunksTable;
}

export type ImportProgressRow = Selectable<ImportProgressTable>;
