import type { ApiErrorBody } from '@pi/api';

/** Every failed API call ends up as one of these, whatever the transport (fetch, XHR, SSE). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The input field a validation or conflict error is about, when the API names one. */
  get field(): string | undefined {
    const field = this.details?.field;
    return typeof field === 'string' ? field : undefined;
  }
}

function isErrorBody(body: unknown): body is ApiErrorBody {
  const error = (body as ApiErrorBody | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** The one place an error response becomes an ApiError; a body of another shape keeps the status. */
export function toApiError(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) {
    return new ApiError(status, body.error.code, body.error.message, body.error.details);
  }
  return new ApiError(status, 'http_error', `The server answered ${status}.`);
}

/** A request that never got an answer (offline, server down, aborted). */
export function networkError(): ApiError {
  return new ApiError(0, 'network', 'Cannot reach the server. Check your connection and retry.');
}

/** A message fit for a toast from anything a catch block receives. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
