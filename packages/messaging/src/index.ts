export * from './connection.js';
export * from './provision.js';
export * from './consumer.js';
export * from './publisher.js';
export * from './replay.js';
