import type {
  DeleteAllResultDto,
  DeliveryDto,
  EventTypeDto,
  ImportDto,
  Page,
  ProductDto,
  ProductInput,
  ProductListDto,
  ProductPatch,
  ProductQuery,
  WebhookDto,
  WebhookInput,
  WebhookPatch,
  WebhookTestResultDto,
} from '@pi/api';
import { networkError, toApiError } from './errors';

type QueryValue = string | number | boolean | undefined | null;

/** `{a: 1, b: undefined, c: ''}` → `?a=1`; empty and missing values are left out. */
export function queryString(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params) as [string, QueryValue][]) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function parseBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One JSON request; a non-2xx answer or a network failure throws an ApiError. */
async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw networkError();
  }
  const parsed = await parseBody(res);
  if (!res.ok) throw toApiError(res.status, parsed);
  return parsed as T;
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Uploads a CSV as multipart `file`. XHR rather than fetch because only XHR reports upload
 * progress; errors go through the same toApiError as every other call.
 */
export function uploadImport(
  file: File,
  onProgress: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<ImportDto> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/imports');
    xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.total || file.size });
    xhr.onload = () => {
      let body: unknown = undefined;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = xhr.responseText;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as ImportDto);
      else reject(toApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(networkError());
    xhr.onabort = () => reject(networkError());
    signal?.addEventListener('abort', () => xhr.abort());
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

const enc = encodeURIComponent;

export const importsApi = {
  list: (params: { limit?: number; cursor?: string } = {}) =>
    request<Page<ImportDto>>('GET', `/api/imports${queryString(params)}`),
  get: (id: string) => request<ImportDto>('GET', `/api/imports/${enc(id)}`),
  cancel: (id: string) => request<ImportDto>('POST', `/api/imports/${enc(id)}/cancel`),
  retry: (id: string) => request<ImportDto>('POST', `/api/imports/${enc(id)}/retry`),
  eventsUrl: (id: string) => `/api/imports/${enc(id)}/events`,
  rejectionsUrl: (id: string) => `/api/imports/${enc(id)}/rejections`,
  upload: uploadImport,
};

export const productsApi = {
  list: (query: ProductQuery) =>
    request<ProductListDto>('GET', `/api/products${queryString(query)}`),
  create: (input: ProductInput) => request<ProductDto>('POST', '/api/products', input),
  update: (id: string, patch: ProductPatch) =>
    request<ProductDto>('PATCH', `/api/products/${enc(id)}`, patch),
  remove: (id: string) => request<void>('DELETE', `/api/products/${enc(id)}`),
  deleteAll: () => request<DeleteAllResultDto>('DELETE', '/api/products?confirm=true'),
  exportUrl: (query: Omit<ProductQuery, 'cursor' | 'limit'>) =>
    `/api/products/export.csv${queryString(query)}`,
};

export const webhooksApi = {
  list: () => request<WebhookDto[]>('GET', '/api/webhooks'),
  create: (input: WebhookInput) => request<WebhookDto>('POST', '/api/webhooks', input),
  update: (id: string, patch: WebhookPatch) =>
    request<WebhookDto>('PATCH', `/api/webhooks/${enc(id)}`, patch),
  remove: (id: string) => request<void>('DELETE', `/api/webhooks/${enc(id)}`),
  test: (id: string) => request<WebhookTestResultDto>('POST', `/api/webhooks/${enc(id)}/test`),
  /** The most recent attempts (first page of the log). */
  deliveries: (id: string) =>
    request<Page<DeliveryDto>>('GET', `/api/webhooks/${enc(id)}/deliveries`).then((p) => p.items),
  redeliver: (id: string, deliveryId: string) =>
    request<DeliveryDto>(
      'POST',
      `/api/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}/redeliver`,
    ),
  eventTypes: () => request<EventTypeDto[]>('GET', '/api/event-types'),
};
