import type { FastifyRequest } from 'fastify';
import type { Principal, TokenService } from '../auth/index.js';
import { AuthenticationError } from '../errors/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

const BEARER = /^Bearer ([^\s]+)$/i;

/** An onRequest hook: every /api/ request must carry a valid bearer token. */
export function authenticateRequests(tokens: TokenService) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (header === undefined) {
      throw new AuthenticationError('send an API token as "Authorization: Bearer <token>"');
    }
    const match = BEARER.exec(header);
    const token = match?.[1];
    if (token === undefined) throw new AuthenticationError('the Authorization header must be "Bearer <token>"');
    request.principal = await tokens.authenticate(token);
  };
}

/** The authenticated principal of a request that passed authenticateRequests. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new AuthenticationError('this request is not authenticated');
  return request.principal;
}
