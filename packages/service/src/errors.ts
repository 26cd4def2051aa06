import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

export type ErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'failed_precondition'
  | 'unavailable'
  | 'internal';

/** A failure the caller can act on. Crosses gRPC and becomes `{"error":{code,message,details}}`. */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const invalid = (message: string, details?: Record<string, unknown>) =>
  new AppError('invalid_argument', message, details);
export const notFound = (message: string) => new AppError('not_found', message);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new AppError('conflict', message, details);

const GRPC_BY_CODE: Record<ErrorCode, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  conflict: status.ALREADY_EXISTS,
  too_large: status.RESOURCE_EXHAUSTED,
  failed_precondition: status.FAILED_PRECONDITION,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

const CODE_BY_GRPC = new Map<number, ErrorCode>(
  Object.entries(GRPC_BY_CODE).map(([k, v]) => [v, k as ErrorCode]),
);
CODE_BY_GRPC.set(status.ABORTED, 'conflict');
CODE_BY_GRPC.set(status.DEADLINE_EXCEEDED, 'unavailable');

const HTTP_BY_CODE: Record<ErrorCode, number> = {
  invalid_argument: 400,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  failed_precondition: 409,
  unavailable: 503,
  internal: 500,
};

const DETAILS_KEY = 'x-error-details-bin';

/** Any error → a gRPC ServiceError; AppErrors keep their code and details. */
export function toGrpcError(err: unknown): Partial<ServiceError> {
  const app = err instanceof AppError ? err : new AppError('internal', 'Internal error');
  const metadata = new Metadata();
  if (app.details) metadata.set(DETAILS_KEY, Buffer.from(JSON.stringify(app.details)));
  return { code: GRPC_BY_CODE[app.code], details: app.message, metadata };
}

/** A gRPC client error → an AppError, so the gateway can answer with the right status. */
export function fromGrpcError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as Partial<ServiceError>;
  if (typeof e?.code !== 'number') return new AppError('internal', 'Internal error');
  const code =
    CODE_BY_GRPC.get(e.code) ?? (e.code === status.UNAVAILABLE ? 'unavailable' : 'internal');
  const raw = e.metadata?.get(DETAILS_KEY)[0];
  const details = raw
    ? (JSON.parse(Buffer.from(raw as Buffer).toString()) as Record<string, unknown>)
    : undefined;
  const message =
    code === 'unavailable'
      ? `A backend service is unavailable: ${e.details ?? ''}`.trim()
      : code === 'internal'
        ? 'Internal error'
        : (e.details ?? 'Error');
  return new AppError(code, message, details);
}

export function httpStatusOf(err: AppError): number {
  return HTTP_BY_CODE[err.code];
}

/** The REST body for an error. */
export function errorBody(err: AppError) {
  return {
    error: {
      code: err.code,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
    },
  };
}
