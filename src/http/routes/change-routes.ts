import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ChangeBody, changeInputOf } from '../../changes/change-input.js';
import type { ChangeService } from '../../changes/change-service.js';
import { CHANGE_STATUSES } from '../../changes/types.js';
import { principalOf } from '../authenticate.js';

const SECURITY = [{ bearerAuth: [] }];
const IdParams = z.strictObject({ id: z.string().regex(/^CHG-[1-9][0-9]{0,9}$/, 'must be a change id such as CHG-7') });
const Text = (max: number) => z.string().trim().min(1).max(max);

export function changeRoutes(changes: ChangeService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/changes',
      {
        schema: {
          tags: ['changes'],
          summary: 'Raise a change request (a draft); the requester is the caller',
          security: SECURITY,
          body: ChangeBody,
        },
      },
      async (request, reply) =>
        reply.code(201).send(await changes.create(principalOf(request), changeInputOf(request.body))),
    );

    app.get(
      '/api/v1/changes',
      {
        schema: {
          tags: ['changes'],
          summary: 'Change requests, newest first',
          security: SECURITY,
          querystring: z.strictObject({
            status: z.enum(CHANGE_STATUSES).optional(),
            service: z.string().min(1).max(63).optional(),
            limit: z.coerce.number().int().min(1).max(1_000).default(200),
          }),
        },
      },
      async (request) => ({ items: await changes.list(principalOf(request), request.query) }),
    );

    app.get(
      '/api/v1/changes/:id',
      {
        schema: {
          tags: ['changes'],
          summary: 'One change with its risk, factor by factor, its approvals and what they still lack',
          security: SECURITY,
          params: IdParams,
        },
      },
      async (request) => changes.get(principalOf(request), request.params.id),
    );

    app.get(
      '/api/v1/changes/:id/verdicts',
      {
        schema: {
          tags: ['changes'],
          summary: 'Every deployment-gate verdict given on the change, oldest first, with reasons and ledger index',
          security: SECURITY,
          params: IdParams,
        },
      },
      async (request) => ({ items: await changes.verdicts(principalOf(request), request.params.id) }),
    );

    app.put(
      '/api/v1/changes/:id',
      {
        schema: {
          tags: ['changes'],
          summary: 'Edit a change before it starts; approvals of the earlier content no longer count',
          security: SECURITY,
          params: IdParams,
          body: ChangeBody,
        },
      },
      async (request) => changes.edit(principalOf(request), request.params.id, changeInputOf(request.body)),
    );

    const action = (
      name: string,
      summary: string,
      run: (id: string, principal: ReturnType<typeof principalOf>, body: Record<string, unknown>) => Promise<unknown>,
      body: z.ZodObject = z.strictObject({}),
    ) =>
      app.post(
        `/api/v1/changes/:id/${name}`,
        {
          schema: { tags: ['changes'], summary, security: SECURITY, params: IdParams, body: body.prefault({}) },
        },
        async (request) =>
          run(request.params.id, principalOf(request), (request.body ?? {}) as Record<string, unknown>),
      );

    action('submit', 'Submit for approval: computes the risk and the approvals it needs', (id, principal) =>
      changes.submit(principal, id),
    );
    app.post(
      '/api/v1/changes/:id/approve',
      {
        schema: {
          tags: ['changes'],
          summary:
            'Approve (approver role); the requester and the implementer may not (403, and the attempt is recorded)',
          security: SECURITY,
          params: IdParams,
          body: z
            .strictObject({ comment: z.string().max(2_000).optional(), asBoard: z.boolean().optional() })
            .prefault({}),
        },
      },
      async (request) => changes.approve(principalOf(request), request.params.id, request.body),
    );
    app.post(
      '/api/v1/changes/:id/reject',
      {
        schema: {
          tags: ['changes'],
          summary: 'Reject (approver role), with the reason',
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({ reason: Text(2_000) }),
        },
      },
      async (request) => changes.reject(principalOf(request), request.params.id, request.body.reason),
    );
    action('start', 'Start implementing: an approved change, or an emergency change before approval', (id, principal) =>
      changes.start(principal, id),
    );
    app.post(
      '/api/v1/changes/:id/complete',
      {
        schema: {
          tags: ['changes'],
          summary: 'Record the outcome: implemented, failed or rolled back',
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({
            outcome: z.enum(['implemented', 'failed', 'rolled-back']),
            notes: z.string().max(4_000).optional(),
          }),
        },
      },
      async (request) => changes.complete(principalOf(request), request.params.id, request.body),
    );
    app.post(
      '/api/v1/changes/:id/review',
      {
        schema: {
          tags: ['changes'],
          summary: 'Post-implementation review',
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({ notes: Text(10_000) }),
        },
      },
      async (request) => changes.review(principalOf(request), request.params.id, request.body.notes),
    );
  };
}
