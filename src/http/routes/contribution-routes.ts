import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CONTRIBUTION_KINDS } from '../../reports/contribution.js';
import type { ContributionService } from '../../reports/contribution-service.js';
import { principalOf } from '../authenticate.js';

export function contributionRoutes(contributions: ContributionService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/contributions',
      {
        schema: {
          tags: ['contributions'],
          summary:
            "The SRE agent's contribution on a service, important business service, change or incident, from live data; ends with the sign-off",
          security: [{ bearerAuth: [] }],
          body: z.strictObject({
            kind: z.enum(CONTRIBUTION_KINDS),
            id: z.string().min(1).max(200),
            format: z.enum(['markdown', 'json']).default('markdown'),
          }),
        },
      },
      async (request, reply) => {
        const rendered = await contributions.contribute(principalOf(request), request.body.kind, request.body.id);
        if (request.body.format === 'json') return reply.type('application/json').send(rendered.json);
        return reply.type('text/markdown; charset=utf-8').send(rendered.markdown);
      },
    );
  };
}
