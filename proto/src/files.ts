import { fileURLToPath } from 'node:url';

/** Folder holding the .proto sources (for @grpc/proto-loader and server reflection). */
export const protoRoot = fileURLToPath(new URL('..', import.meta.url));

export const protoFiles = [
  'importer/v1/common.proto',
  'importer/v1/imports.proto',
  'importer/v1/catalog.proto',
  'importer/v1/webhooks.proto',
  'importer/v1/messages.proto',
];
