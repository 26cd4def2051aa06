import type {
  ClientReadableStream,
  handleUnaryCall,
  ServerWritableStream,
  ServiceError,
} from '@grpc/grpc-js';
import { fromGrpcError, toGrpcError } from '@pi/service';

/**
 * The one place the gateway's public gRPC services turn failures into statuses: AppErrors and the
 * statuses of backend calls keep their code and details, anything else is INTERNAL.
 */
export const grpcError = (err: unknown) => toGrpcError(fromGrpcError(err)) as ServiceError;

/** A unary handler from a promise-returning function. */
export function unary<Req, Res>(handle: (request: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    handle(call.request).then(
      (response) => callback(null, response),
      (err: unknown) => callback(grpcError(err)),
    );
  };
}

/** Ends a server stream with the status of `err` (unless the caller is gone already). */
export function failStream<Res>(call: ServerWritableStream<unknown, Res>, err: unknown): void {
  if (!call.cancelled) call.emit('error', grpcError(err));
}

/**
 * Writes every message of an async source to a server stream, waiting for the caller to drain,
 * then ends it; a failure ends it with its status.
 */
export function writeAll<Res>(
  call: ServerWritableStream<unknown, Res>,
  source: AsyncIterable<Res>,
): void {
  void (async () => {
    for await (const message of source) {
      // Leaving the loop returns the source, so a cancelled watch releases what it holds.
      if (call.cancelled) return;
      if (!call.write(message)) await drainedOrCancelled(call);
    }
    call.end();
  })().catch((err: unknown) => failStream(call, err));
}

function drainedOrCancelled(call: ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      call.off('cancelled', done);
      resolve();
    };
    call.once('drain', done);
    call.once('cancelled', done);
  });
}

/** Relays a backend's server stream to the caller; the caller going away cancels the backend call. */
export function forwardServerStream<Res>(
  call: ServerWritableStream<unknown, Res>,
  upstream: ClientReadableStream<Res>,
): void {
  call.on('cancelled', () => upstream.cancel());
  writeAll(call, upstream as AsyncIterable<Res>);
}
