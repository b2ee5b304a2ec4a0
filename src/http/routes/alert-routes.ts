import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AlertmanagerWebhookSchema, type AlertService, PostedAlertsSchema } from '../../alerts/index.js';
import { principalOf } from '../authenticate.js';

const SECURITY = [{ bearerAuth: [] }];
/** Alertmanager sends a whole group per notification: up to about 255 KB for 500 alerts was measured. */
const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;

export function alertRoutes(alerts: AlertService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/integrations/alertmanager',
      {
        bodyLimit: WEBHOOK_BODY_LIMIT,
        schema: {
          tags: ['alerts'],
          summary:
            'Alertmanager webhook (version 4): answered once durably received; transitions, enrichment and correlation follow',
          security: SECURITY,
          body: AlertmanagerWebhookSchema,
        },
      },
      async (request, reply) => {
        const receipt = await alerts.receiveWebhook(principalOf(request), request.body);
        return reply.code(202).send({ status: 'received', ...receipt });
      },
    );

    app.post(
      '/api/v1/alerts',
      {
        bodyLimit: WEBHOOK_BODY_LIMIT,
        schema: {
          tags: ['alerts'],
          summary: 'Alerts from any source: labels identify an alert, as in Alertmanager',
          security: SECURITY,
          body: PostedAlertsSchema,
        },
      },
      async (request, reply) => {
        const receipt = await alerts.receivePosted(principalOf(request), request.body);
        return reply.code(202).send({ status: 'received', ...receipt });
      },
    );

    app.get(
      '/api/v1/alerts',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Alerts by latest state, newest first, with their service, owner and incident',
          security: SECURITY,
          querystring: z.strictObject({
            status: z.enum(['firing', 'resolved']).optional(),
            service: z.string().min(1).max(63).optional(),
            incident: z.string().min(1).max(40).optional(),
            limit: z.coerce.number().int().min(1).max(1_000).default(200),
          }),
        },
      },
      async (request) => ({ items: await alerts.list(principalOf(request), request.query) }),
    );

    app.get(
      '/api/v1/alerts/:fingerprint',
      {
        schema: {
          tags: ['alerts'],
          summary: 'One alert by its Alertmanager-compatible fingerprint',
          security: SECURITY,
          params: z.strictObject({ fingerprint: z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 hex digits') }),
        },
      },
      async (request) => alerts.get(principalOf(request), request.params.fingerprint),
    );
  };
}
