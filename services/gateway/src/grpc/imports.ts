import type { handleUnaryCall, ServerWritableStream, ServiceError } from '@grpc/grpc-js';
import type { IngestServiceClient, ImportServiceServer } from '@pi/proto';
import { call as callBackend, fromGrpcError, toGrpcError } from '@pi/service';
import type { ImportQueries } from '../projection/queries.js';

/** Every failure leaves this service through here: AppErrors and backend statuses keep their code. */
const grpcError = (err: unknown) => toGrpcError(fromGrpcError(err)) as ServiceError;

function unary<Req, Res>(handle: (request: Req) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    handle(call.request).then(
      (response) => callback(null, response),
      (err: unknown) => callback(grpcError(err)),
    );
  };
}

function failStream(call: ServerWritableStream<unknown, unknown>, err: unknown) {
  call.emit('error', grpcError(err));
}

/**
 * The public ImportService: queries and watches come from the progress projection, commands and
 * uploads are forwarded to ingest (which owns the files and the lifecycle).
 */
export function importService(deps: {
  queries: ImportQueries;
  ingest: IngestServiceClient;
}): ImportServiceServer {
  const { queries, ingest } = deps;
  return {
    getImport: unary(async ({ id }) => ({ import: await queries.get(id) })),

    listImports: unary(async ({ limit, cursor }) => {
      const page = await queries.list(limit || undefined, cursor || undefined);
      return { imports: page.items, nextCursor: page.nextCursor ?? '' };
    }),

    watchImport: (call) => {
      const cancelled = new AbortController();
      call.on('cancelled', () => cancelled.abort());
      void (async () => {
        for await (const update of queries.watch(call.request.id, { signal: cancelled.signal })) {
          // Heartbeats keep SSE connections alive; a gRPC stream needs only the changes.
          if (update.changed) call.write({ import: update.import });
        }
        call.end();
      })().catch((err: unknown) => failStream(call, err));
    },

    cancelImport: unary((request) => callBackend(ingest, 'cancelImport', request)),
    retryImport: unary((request) => callBackend(ingest, 'retryImport', request)),

    uploadCsv: (call, callback) => {
      const upstream = ingest.uploadCsv((err, response) =>
        err ? callback(grpcError(err)) : callback(null, response),
      );
      call.on('cancelled', () => upstream.cancel());
      call.on('error', () => upstream.cancel());
      // pipe() applies backpressure (grpc-js streams are object-mode; the cast only widens types): the client's bytes flow at the pace ingest stores them.
      call.pipe(upstream as unknown as NodeJS.WritableStream);
    },

    getRejections: (call) => {
      const upstream = ingest.getRejections(call.request);
      call.on('cancelled', () => upstream.cancel());
      upstream.on('error', (err) => failStream(call, err));
      upstream.pipe(call as unknown as NodeJS.WritableStream);
    },
  };
}
