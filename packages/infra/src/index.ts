export * from './plan.js';
export * from './paths.js';
export * from './net.js';
export * from './postgres.js';
export * from './nats.js';
export * from './s3.js';
export * from './provision.js';
export * from './stack.js';
