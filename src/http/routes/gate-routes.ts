import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TokenService } from '../../auth/index.js';
import { DELIVERY_GROUPINGS } from '../../changes/delivery-metrics.js';
import type { DeploymentService } from '../../changes/deployment-service.js';
import type { GateService } from '../../changes/gate-service.js';
import type { GitHubProtectionRules } from '../../changes/integrations/github-protection-rule.js';
import { AuthenticationError, BaseError } from '../../errors/index.js';
import { principalOf } from '../authenticate.js';

const SECURITY = [{ bearerAuth: [] }];
const Time = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-11-27T10:00:00Z' });
const GateQuery = z.strictObject({
  service: z.string().min(1).max(63),
  change: z
    .string()
    .regex(/^CHG-[1-9][0-9]{0,9}$/, 'must be a change id such as CHG-7')
    .optional(),
});

/** Routes under the bearer token: the gate, deployments and the four keys. */
export function gateRoutes(gate: GateService, deployments: DeploymentService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/gate',
      {
        schema: {
          tags: ['gate'],
          summary:
            'allow, deny or hold, with reasons, for a service and optionally a change; every verdict is recorded',
          security: SECURITY,
          querystring: GateQuery,
        },
      },
      async (request) =>
        gate.check(principalOf(request), {
          service: request.query.service,
          change: request.query.change,
          source: 'api',
        }),
    );

    app.get(
      '/api/v1/gate/argo',
      {
        schema: {
          tags: ['gate'],
          summary:
            'For the Argo Rollouts web metric provider: always 2xx with JSON, so successCondition result.decision == "allow" works and hold is inconclusive',
          security: SECURITY,
          querystring: GateQuery,
        },
      },
      async (request) => {
        try {
          return await gate.check(principalOf(request), {
            service: request.query.service,
            change: request.query.change,
            source: 'argo-rollouts',
          });
        } catch (error: unknown) {
          // A non-2xx answer would count as an Argo measurement error; a deny with the reason stops the rollout clearly.
          if (
            error instanceof BaseError &&
            (error.code === 'SRE_NOT_FOUND' || error.code === 'SRE_INPUT_INVALID' || error.code === 'SRE_CONFLICT')
          ) {
            return {
              decision: 'deny',
              reasons: [{ code: 'gate-error', effect: 'deny', message: error.message }],
              service: request.query.service,
              change: request.query.change,
            };
          }
          throw error;
        }
      },
    );

    app.post(
      '/api/v1/deployments',
      {
        schema: {
          tags: ['gate'],
          summary:
            'Record a deployment (or update it by id); it is linked to incidents that follow on the service or its dependants',
          security: SECURITY,
          body: z.strictObject({
            id: z.string().min(1).max(200).optional(),
            service: z.string().min(1).max(63),
            version: z.string().min(1).max(200),
            commitAt: Time.optional(),
            deployedAt: Time.optional(),
            outcome: z.enum(['succeeded', 'failed', 'rolled-back']).default('succeeded'),
            recoveredAt: Time.optional(),
            change: z
              .string()
              .regex(/^CHG-[1-9][0-9]{0,9}$/)
              .optional(),
          }),
        },
      },
      async (request, reply) => {
        const body = request.body;
        const date = (time: string | undefined) => (time === undefined ? undefined : new Date(time));
        const recorded = await deployments.record(principalOf(request), {
          ...body,
          commitAt: date(body.commitAt),
          deployedAt: date(body.deployedAt),
          recoveredAt: date(body.recoveredAt),
        });
        return reply.code(201).send(recorded);
      },
    );

    const period = z.strictObject({
      service: z.string().min(1).max(63).optional(),
      team: z.string().min(1).max(63).optional(),
      from: Time.optional(),
      to: Time.optional(),
      by: z.enum(DELIVERY_GROUPINGS).default('overall'),
    });
    const rangeOf = (query: { from?: string | undefined; to?: string | undefined }) => ({
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    });

    app.get(
      '/api/v1/deployments',
      {
        schema: {
          tags: ['gate'],
          summary: 'Deployments in a period (default the last 90 days)',
          security: SECURITY,
          querystring: period,
        },
      },
      async (request) => ({
        items: await deployments.list(principalOf(request), {
          service: request.query.service,
          team: request.query.team,
          ...rangeOf(request.query),
        }),
      }),
    );

    app.get(
      '/api/v1/metrics/delivery',
      {
        schema: {
          tags: ['gate'],
          summary:
            'DevOps Research and Assessment four keys (not the DORA regulation) with 2024 performance bands, by service, team or overall',
          security: SECURITY,
          querystring: period,
        },
      },
      async (request) =>
        deployments.metrics(principalOf(request), {
          service: request.query.service,
          team: request.query.team,
          groupBy: request.query.by,
          ...rangeOf(request.query),
        }),
    );
  };
}

const FLAGGER_HOOKS = ['confirm-rollout', 'pre-rollout', 'rollout', 'confirm-promotion', 'rollback'] as const;

const FlaggerPayload = z.looseObject({
  name: z.string().min(1).max(253),
  namespace: z.string().min(1).max(63),
  phase: z.string().max(40).optional(),
  checksum: z.string().max(200).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/**
 * Flagger's webhooks send no headers of their own, so the token comes in the hook's metadata (`token`), or in an
 * Authorization header from a proxy. Flagger passes only 200–202; the body of any other answer is shown in its events.
 */
export function flaggerRoutes(gate: GateService, tokens: TokenService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/gate/flagger/:hook',
      {
        schema: {
          tags: ['gate'],
          summary:
            'Flagger webhooks: confirm-rollout, pre-rollout, rollout, confirm-promotion (200 proceeds, 403 halts) and rollback (200 rolls back)',
          params: z.strictObject({ hook: z.enum(FLAGGER_HOOKS) }),
          body: FlaggerPayload,
        },
        // Authenticated before the body is validated, so that a caller without a token hears 401, not 400.
        preValidation: async (request) => {
          const body: unknown = request.body;
          const metadata =
            body !== null && typeof body === 'object' && 'metadata' in body
              ? (body.metadata as Record<string, unknown>)
              : {};
          const header = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
          const token = header ?? (typeof metadata?.token === 'string' ? metadata.token : undefined);
          if (token === undefined) {
            throw new AuthenticationError(
              'send a token in the webhook metadata ("token") or as "Authorization: Bearer <token>"',
            );
          }
          request.principal = await tokens.authenticate(token);
        },
      },
      async (request, reply) => {
        const metadata = request.body.metadata ?? {};
        const verdict = await gate.check(principalOf(request), {
          service: metadata.service ?? request.body.name,
          change: metadata.change,
          source: `flagger:${request.params.hook}`,
        });
        const reasons = verdict.reasons.map((reason) => reason.message).join('; ');
        if (request.params.hook === 'rollback') {
          // Inverted: success tells Flagger to roll back, which sre-agent asks for only on a deny.
          return verdict.decision === 'deny'
            ? reply.code(200).type('text/plain').send(`roll back: ${reasons}`)
            : reply.code(403).type('text/plain').send(`no rollback: ${verdict.decision}: ${reasons}`);
        }
        return verdict.decision === 'allow'
          ? reply.code(200).type('text/plain').send(`allow: ${reasons}`)
          : reply.code(403).type('text/plain').send(`${verdict.decision}: ${reasons}`);
      },
    );
  };
}

/** GitHub's `deployment_protection_rule` webhook: signed with the webhook secret, not a bearer token. */
export function githubRoutes(github: GitHubProtectionRules): FastifyPluginAsyncZod {
  return async (app) => {
    // The signature covers the exact bytes, so this route reads the body unparsed.
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    app.post('/api/v1/integrations/github', { schema: { hide: true } }, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const receipt = github.receive(body, request.headers);
      return reply.code(receipt.status).send({ message: receipt.message });
    });
  };
}
