export * from './migrate.js';
export * from './open-store.js';
export type * from './schema.js';
export type * from './store.js';
export * from './unique-violation.js';
