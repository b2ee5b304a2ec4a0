export * from './authorise.js';
export * from './principal.js';
export * from './roles.js';
export * from './token-projector.js';
export * from './token-service.js';
export * from './token-store.js';
