export * from './clock.js';
export * from './duration.js';
