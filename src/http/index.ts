export * from './build-app.js';
export * from './error-handler.js';
export * from './http-status.js';
