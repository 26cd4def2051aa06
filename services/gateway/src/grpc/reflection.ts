import type { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoFiles, protoRoot } from '@pi/proto/files';

/** Server reflection over the public importer.v1 services, so integrators need no .proto files. */
export function addReflection(server: Server): void {
  const definition = loadSync(protoFiles, { includeDirs: [protoRoot], keepCase: true });
  new ReflectionService(definition).addToServer(server);
}
