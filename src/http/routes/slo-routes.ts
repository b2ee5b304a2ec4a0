import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseDuration } from '../../clock/index.js';
import { InputError } from '../../errors/index.js';
import type { SloService } from '../../slo/slo-service.js';
import { principalOf } from '../authenticate.js';

const SECURITY = [{ bearerAuth: [] }];
const IdParams = z.strictObject({ id: z.string().min(1).max(200) });
const Time = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-11-27T10:00:00Z' });

const PointsBody = z.strictObject({
  points: z
    .array(
      z.strictObject({
        time: Time,
        good: z.number().int().min(0),
        total: z.number().int().min(0),
      }),
    )
    .min(1)
    .max(10_000),
});

export function sloRoutes(slos: SloService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/slos',
      {
        schema: {
          tags: ['slos'],
          summary: 'Every SLO with its budget remaining, burn rate per window and tier states',
          security: SECURITY,
          querystring: z.strictObject({ service: z.string().min(1).max(63).optional() }),
        },
      },
      async (request) => ({ items: await slos.list(principalOf(request), { service: request.query.service }) }),
    );

    app.get(
      '/api/v1/slos/:id',
      {
        schema: {
          tags: ['slos'],
          summary:
            'One SLO: objective, period, SLI, budget (fraction and minutes), burn rates, tiers, time to exhaustion',
          security: SECURITY,
          params: IdParams,
        },
      },
      async (request) => slos.get(principalOf(request), request.params.id),
    );

    app.get(
      '/api/v1/slos/:id/history',
      {
        schema: {
          tags: ['slos'],
          summary: 'Error ratio, burn rate and budget remaining at each step between from and to',
          security: SECURITY,
          params: IdParams,
          querystring: z.strictObject({ from: Time, to: Time, step: z.string().min(2).max(16).default('1h') }),
        },
      },
      async (request) => {
        const step = parseDuration(request.query.step);
        if (!step.ok)
          throw new InputError(step.message, { details: [{ path: 'querystring.step', message: step.message }] });
        return {
          items: await slos.history(
            principalOf(request),
            request.params.id,
            new Date(request.query.from),
            new Date(request.query.to),
            step.milliseconds,
          ),
        };
      },
    );

    app.post(
      '/api/v1/slos/:id/points',
      {
        schema: {
          tags: ['slos'],
          summary: 'Push good/total SLI points into the embedded store; a repeated batch is accepted once',
          security: SECURITY,
          params: IdParams,
          body: PointsBody,
        },
      },
      async (request) =>
        slos.ingest(
          principalOf(request),
          request.params.id,
          request.body.points.map((point) => ({ time: new Date(point.time), good: point.good, total: point.total })),
        ),
    );
  };
}
