/**
 * The reports area: the SRE agent's voice. Contributions about services, important business services, changes and
 * incidents, their renderings, the persona they are written under, and the checks every contribution must pass.
 * @module
 */
export * from './change-contribution.js';
export * from './contribution.js';
export * from './contribution-checks.js';
export * from './contribution-inputs.js';
export * from './ibs-contribution.js';
export * from './incident-contribution.js';
export * from './persona.js';
export * from './service-contribution.js';
export type * from './types.js';
