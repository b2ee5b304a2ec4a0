export * from './mcp-http.js';
export * from './mcp-server.js';
export * from './mcp-stdio.js';
export * from './origin-check.js';
export * from './tool-output.js';
export * from './types.js';
