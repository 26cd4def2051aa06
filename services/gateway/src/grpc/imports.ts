import type { IngestServiceClient, ImportServiceServer, WatchImportResponse } from '@pi/proto';
import { call as callBackend } from '@pi/service';
import type { ImportQueries } from '../projection/queries.js';
import { forwardServerStream, grpcError, unary, writeAll } from './handlers.js';

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
      writeAll(call, changesOf(queries.watch(call.request.id, { signal: cancelled.signal })));
    },

    cancelImport: unary((request) => callBackend(ingest, 'cancelImport', request)),
    retryImport: unary((request) => callBackend(ingest, 'retryImport', request)),

    uploadCsv: (call, callback) => {
      const upstream = ingest.uploadCsv((err, response) =>
        err ? callback(grpcError(err)) : callback(null, response),
      );
      call.on('cancelled', () => upstream.cancel());
      call.on('error', () => upstream.cancel());
      // pipe() applies backpressure: the client's bytes flow at the pace ingest stores them.
      // (Both are object-mode grpc-js streams; the cast only widens Node's byte-stream typing.)
      call.pipe(upstream as unknown as NodeJS.WritableStream);
    },

    getRejections: (call) => forwardServerStream(call, ingest.getRejections(call.request)),
  };
}

/** Heartbeats keep SSE connections alive; a gRPC watch needs only the changes. */
async function* changesOf(
  updates: ReturnType<ImportQueries['watch']>,
): AsyncGenerator<WatchImportResponse> {
  for await (const update of updates) if (update.changed) yield { import: update.import };
}
