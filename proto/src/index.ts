export * from './gen/importer/v1/common.js';
export * from './gen/importer/v1/imports.js';
export * from './gen/importer/v1/catalog.js';
export * from './gen/importer/v1/webhooks.js';
export * from './gen/importer/v1/messages.js';
// Every generated file declares these; name one copy so the star exports above do not clash.
export {
  protobufPackage,
  protobufFileName,
  type DeepPartial,
  type MessageFns,
} from './gen/importer/v1/common.js';
