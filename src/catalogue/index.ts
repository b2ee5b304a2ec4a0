export * from './catalogue-index.js';
export * from './catalogue-load-store.js';
export * from './catalogue-schema.js';
export * from './catalogue-service.js';
export * from './freeze-windows.js';
export * from './identifiers.js';
export * from './load-catalogue-files.js';
export * from './parse-catalogue.js';
export type * from './types.js';
