import type { CatalogInternalServiceServer } from '@pi/proto';
import { toGrpcError } from '@pi/service';
import type { ChunkRepository } from '../repositories/chunk.repository.js';

/** Internal gRPC: hands out write epochs, the order of imports and manual edits. */
export function catalogInternalHandlers(repo: ChunkRepository): CatalogInternalServiceServer {
  return {
    allocateWriteEpoch: (_call, callback) => {
      repo.allocateEpoch().then(
        (epoch) => callback(null, { epoch }),
        (err) => callback(toGrpcError(err)),
      );
    },
  };
}
