/**
 * `sre-agent mcp`: the MCP server on standard input and output, for an MCP client on the same machine that starts
 * it. Standard output carries only MCP messages; anything else goes to standard error.
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Principal } from '../auth/index.js';
import { createMcpServer } from './mcp-server.js';
import type { McpDependencies } from './types.js';

export interface RunStdioServerOptions {
  /** Offers the write tools; off unless the user asks for them. */
  readonly allowWrites?: boolean | undefined;
  readonly maxOutputCharacters?: number | undefined;
  readonly stdin?: Readable | undefined;
  readonly stdout?: Writable | undefined;
  /** Where failures that are not coded errors are reported; a line on standard error by default. */
  readonly onUnexpectedError?: ((error: unknown) => void) | undefined;
}

/**
 * Serves MCP on stdio as `principal` (the local user) until the client closes standard input, then closes the
 * server; the caller then closes the runtime.
 */
export async function runStdioServer(
  deps: McpDependencies,
  principal: Principal,
  options: RunStdioServerOptions = {},
): Promise<void> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const server = createMcpServer(deps, {
    principal,
    allowWrites: options.allowWrites,
    maxOutputCharacters: options.maxOutputCharacters,
    onUnexpectedError: options.onUnexpectedError ?? reportOnStderr,
  });
  const transport = new StdioServerTransport(stdin, stdout);
  // The transport does not watch for the end of its input, so the client's closing stdin is seen here.
  const ended = new Promise<void>((resolve) => {
    const finish = () => resolve();
    stdin.once('end', finish);
    stdin.once('close', finish);
    server.server.onclose = finish;
  });
  await server.connect(transport);
  await ended;
  await server.close();
}

function reportOnStderr(error: unknown): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`sre-agent mcp: a tool failed unexpectedly: ${message}\n`);
}
