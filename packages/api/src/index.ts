/**
 * JSON shapes of the public REST API (SPEC §4). The gateway maps to them and the dashboard's API
 * client is typed by them, so neither copies the other's types. Timestamps are ISO-8601 strings.
 */

export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type ImportStatus =
  'queued' | 'parsing' | 'importing' | 'completed' | 'failed' | 'cancelled';

export const TERMINAL_IMPORT_STATUSES: readonly ImportStatus[] = [
  'completed',
  'failed',
  'cancelled',
];

export interface ImportDto {
  id: string;
  filename: string;
  status: ImportStatus;
  totalBytes: number;
  bytesRead: number;
  totalRows: number | null;
  processedRows: number;
  inserted: number;
  updated: number;
  rejected: number;
  rowsPerSecond: number;
  etaSeconds: number | null;
  error: string | null;
  warnings: string[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ProductDto {
  id: string;
  sku: string;
  name: string;
  description: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ProductListDto extends Page<ProductDto> {
  /** Matching products; when `totalCapped`, at least this many (the catalog stops counting). */
  total: number;
  totalCapped: boolean;
}

export interface ProductQuery {
  q?: string;
  sku?: string;
  name?: string;
  description?: string;
  active?: boolean;
  limit?: number;
  cursor?: string;
}

export interface ProductInput {
  sku: string;
  name: string;
  description?: string;
  active?: boolean;
}

export type ProductPatch = Partial<ProductInput>;

export interface DeleteAllResultDto {
  deleted: number;
}

export interface WebhookDto {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  description: string;
  createdAt: string;
  updatedAt: string;
  lastStatusCode: number | null;
  lastDeliveryAt: string | null;
  consecutiveFailures: number;
  /** Only in the answer to create and rotate-secret. */
  secret?: string;
}

export interface WebhookInput {
  url: string;
  events: string[];
  enabled?: boolean;
  description?: string;
}

export type WebhookPatch = Partial<WebhookInput>;

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'exhausted';

export interface DeliveryDto {
  id: string;
  webhookId: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  status: DeliveryStatus;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
  createdAt: string;
  nextAttemptAt: string | null;
}

export interface WebhookTestResultDto {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

export interface EventTypeDto {
  name: string;
  description: string;
}
