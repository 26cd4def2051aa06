import type { sendUnaryData, ServerReadableStream } from '@grpc/grpc-js';
import type { IngestServiceServer, UploadCsvRequest } from '@pi/proto';
import { invalid, toGrpcError } from '@pi/service';
import type { Logger } from 'pino';
import type { ImportRow } from '../db.js';
import type { ImportCommands } from '../services/import-commands.js';
import { toImportProto } from '../services/to-proto.js';

/** Thin gRPC handlers over ImportCommands; every error is mapped here, in one place. */
export function ingestGrpcHandlers(commands: ImportCommands, logger: Logger): IngestServiceServer {
  const answer =
    <T>(wrap: (i: ImportRow) => T, callback: sendUnaryData<T>) =>
    (work: Promise<ImportRow>) =>
      work.then(
        (i) => callback(null, wrap(i)),
        (err) => {
          logger.debug({ err }, 'ingest command failed');
          callback(toGrpcError(err));
        },
      );
  const importResponse = (i: ImportRow) => ({ import: toImportProto(i) });

  return {
    uploadCsv: (call, callback) => {
      void answer(importResponse, callback)(uploadFromStream(commands, call));
    },
    cancelImport: (call, callback) => {
      void answer(importResponse, callback)(commands.cancel(call.request.id));
    },
    retryImport: (call, callback) => {
      void answer(importResponse, callback)(commands.retry(call.request.id));
    },
    getRejections: (call) => {
      void (async () => {
        try {
          for await (const data of commands.rejectionsCsv(call.request.id)) {
            if (call.cancelled) return;
            if (!call.write({ data })) await new Promise((r) => call.once('drain', r));
          }
          call.end();
        } catch (err) {
          // grpc-js sends a server stream's status when the stream emits the error.
          call.emit('error', toGrpcError(err));
        }
      })();
    },
  };
}

/** The first message names the file; the rest carry its bytes. */
async function uploadFromStream(
  commands: ImportCommands,
  call: ServerReadableStream<UploadCsvRequest, unknown>,
): Promise<ImportRow> {
  const messages = call[Symbol.asyncIterator]() as AsyncIterator<UploadCsvRequest>;
  const first = await messages.next();
  if (first.done || first.value.part?.$case !== 'header') {
    throw invalid('The upload must start with a header message naming the file');
  }
  const header = first.value.part.value;
  return commands.upload({
    filename: header.filename,
    sizeHint: header.sizeHint,
    data: (async function* () {
      for (let m = await messages.next(); !m.done; m = await messages.next()) {
        if (m.value.part?.$case !== 'data')
          throw invalid('Only the first upload message may be a header');
        yield m.value.part.value;
      }
      // A cancelled call may just end its stream: never store a cut-off file as complete.
      if (call.cancelled) throw invalid('The upload was cancelled by the sender');
    })(),
  });
}
