import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, PERMISSIONS, ROLES, roleAllows, type TokenService } from '../../auth/index.js';
import { principalOf } from '../authenticate.js';

const SECURITY = [{ bearerAuth: [] }];

const CreateTokenBody = z.strictObject({
  name: z.string().min(1).max(63),
  role: z.enum(ROLES),
  scope: z.string().min(1).max(63).optional(),
  expiresIn: z.string().min(2).max(16).optional().describe('a duration such as 90d; no expiry when absent'),
});

export function tokenRoutes(tokens: TokenService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/me',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Who is calling: the token name, its role and what that role may do',
          security: SECURITY,
        },
      },
      async (request) => {
        const principal = principalOf(request);
        if (principal.kind !== 'token') return { actor: actorOf(principal), permissions: [...PERMISSIONS] };
        return {
          actor: actorOf(principal),
          name: principal.name,
          role: principal.role,
          scope: principal.scope,
          permissions: PERMISSIONS.filter((permission) => roleAllows(principal.role, permission)),
        };
      },
    );

    app.get(
      '/api/v1/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'API tokens (never the token values)',
          security: SECURITY,
          querystring: z.strictObject({ includeRevoked: z.enum(['true', 'false']).optional() }),
        },
      },
      async (request) => ({
        items: await tokens.list(principalOf(request), { includeRevoked: request.query.includeRevoked === 'true' }),
      }),
    );

    app.post(
      '/api/v1/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Create a token; the response is the only time its value is shown',
          security: SECURITY,
          body: CreateTokenBody,
        },
      },
      async (request, reply) => {
        const { name, role, scope, expiresIn } = request.body;
        const created = await tokens.createToken(principalOf(request), { name, role, scope, expiresIn });
        return reply.status(201).header('cache-control', 'no-store').send(created);
      },
    );

    app.post(
      '/api/v1/tokens/:id/revoke',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Revoke a token by id or by the name of an active token',
          security: SECURITY,
          params: z.object({ id: z.string().min(1).max(64) }),
        },
      },
      async (request) => tokens.revoke(principalOf(request), request.params.id),
    );
  };
}
