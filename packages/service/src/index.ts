export * from './errors.js';
export * from './metrics.js';
export * from './http.js';
export * from './grpc.js';
export * from './run.js';
export * from './shell.js';
export * from './health-client.js';
