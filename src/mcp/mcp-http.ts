/**
 * MCP over Streamable HTTP at `/mcp`, as a Fastify plugin. Stateless: every POST builds a server for the principal
 * of its bearer token, answers with JSON, and forgets it. No session outlives a request, so a token revoked between
 * two messages is refused at the second, any replica can answer any message, and nothing is held in memory. The
 * price is no server-to-client stream (GET and DELETE answer 405), which no tool here needs.
 * @module
 */
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal, TokenService } from '../auth/index.js';
import { AuthenticationError } from '../errors/index.js';
import { createMcpServer } from './mcp-server.js';
import { type AllowedOrigins, checkOrigin } from './origin-check.js';
import type { McpDependencies } from './types.js';

export const MCP_PATH = '/mcp';

export interface McpHttpOptions {
  readonly services: McpDependencies;
  readonly tokens: Pick<TokenService, 'authenticate'>;
  /** Offers the write tools to tokens whose role allows them; off unless configured. */
  readonly allowWrites?: boolean | undefined;
  /** Host values besides the listen address and loopback names, `name` or `name:port` (behind a reverse proxy). */
  readonly allowedHosts?: ReadonlyArray<string> | undefined;
  /** Browser origins besides the server's own, such as `https://console.example`; none by default. */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined;
  readonly maxOutputCharacters?: number | undefined;
}

const BEARER = /^Bearer ([^\s]+)$/i;
/** The SDK's own code for transport-level refusals. */
const TRANSPORT_ERROR = -32000;

/** Registers POST, GET and DELETE at `/mcp`; each refuses a foreign Host or Origin (403), then a missing token (401). */
export function mcpHttpRoutes(options: McpHttpOptions): FastifyPluginAsync {
  return async (app) => {
    const principals = new WeakMap<FastifyRequest, Principal>();
    const allowed = (): AllowedOrigins => ({
      listening: listeningOn(app),
      hosts: options.allowedHosts ?? [],
      origins: options.allowedOrigins ?? [],
    });

    app.addHook('onRequest', async (request, reply) => {
      const verdict = checkOrigin({ host: request.headers.host, origin: request.headers.origin }, allowed());
      if (!verdict.ok) return refuse(reply, 403, verdict.message);
      const header = request.headers.authorization;
      if (header === undefined) return refuse(reply, 401, 'send an API token as "Authorization: Bearer <token>"');
      const token = BEARER.exec(header)?.[1];
      if (token === undefined) return refuse(reply, 401, 'the Authorization header must be "Bearer <token>"');
      try {
        principals.set(request, await options.tokens.authenticate(token));
      } catch (error: unknown) {
        if (error instanceof AuthenticationError) return refuse(reply, 401, error.message);
        throw error;
      }
      return undefined;
    });

    app.post(MCP_PATH, { schema: { hide: true } }, async (request, reply) => {
      const principal = principals.get(request);
      if (principal === undefined) return refuse(reply, 401, 'this request is not authenticated');
      const server = createMcpServer(options.services, {
        principal,
        allowWrites: options.allowWrites,
        maxOutputCharacters: options.maxOutputCharacters,
        onUnexpectedError: (error) => request.log.error({ err: error, reqId: request.id }, 'an MCP call failed'),
      });
      const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
      reply.hijack();
      reply.raw.on('close', () => {
        server.close().catch((error: unknown) => request.log.warn({ err: error }, 'closing an MCP server failed'));
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (error: unknown) {
        request.log.error({ err: error, reqId: request.id }, 'an MCP request failed');
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, { 'content-type': 'application/json' });
          reply.raw.end(JSON.stringify(rpcError(-32603, 'internal error: see the server log for this request')));
        }
      }
      return reply;
    });

    const notAllowed = async (_request: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(405)
        .header('allow', 'POST')
        .send(rpcError(TRANSPORT_ERROR, 'this MCP server is stateless: send every message as a POST'));
    app.get(MCP_PATH, { schema: { hide: true } }, notAllowed);
    app.delete(MCP_PATH, { schema: { hide: true } }, notAllowed);
  };
}

function listeningOn(app: FastifyInstance): AllowedOrigins['listening'] {
  const address: AddressInfo | string | null = app.server.address();
  return address === null || typeof address === 'string' ? undefined : { address: address.address, port: address.port };
}

function refuse(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  if (status === 401) void reply.header('www-authenticate', 'Bearer realm="sre-agent"');
  return reply.code(status).send(rpcError(TRANSPORT_ERROR, message));
}

function rpcError(code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null } as const;
}
