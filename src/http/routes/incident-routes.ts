import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DoraClassificationInputSchema,
  INCIDENT_REPORT_KINDS,
  INCIDENT_ROLES,
  INCIDENT_STATUSES,
  type IncidentService,
  RECORDABLE_TIMESTAMPS,
  SEVERITIES,
} from '../../incidents/index.js';
import { principalOf } from '../authenticate.js';

const SECURITY = [{ bearerAuth: [] }];
const Time = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-11-27T10:00:00Z' });
const IdParams = z.strictObject({
  id: z.string().regex(/^INC-[1-9][0-9]{0,9}$/, 'must be an incident id such as INC-12'),
});
const ServiceName = z.string().min(1).max(63);
const Text = z.string().trim().min(1).max(10_000);

const DeclareBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  services: z.array(ServiceName).min(1).max(50),
  severity: z.enum(SEVERITIES).optional(),
  occurredAt: Time.optional(),
  awareAt: Time.optional(),
  summary: Text.optional(),
});

const RegimesBody = z.strictObject({
  doraMajor: z.boolean().optional(),
  gdprPersonalDataBreach: z.boolean().optional(),
  nis2Significant: z.boolean().optional(),
  ukOperationalIncident: z.boolean().optional(),
});

const dateOf = (time: string | undefined): Date | undefined => (time === undefined ? undefined : new Date(time));

export function incidentRoutes(incidents: IncidentService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/incidents',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Declare an incident; without a severity, the severity policy sets it from the services',
          security: SECURITY,
          body: DeclareBody,
        },
      },
      async (request, reply) => {
        const body = request.body;
        const incident = await incidents.declare(principalOf(request), {
          title: body.title,
          services: body.services,
          severity: body.severity,
          occurredAt: dateOf(body.occurredAt),
          awareAt: dateOf(body.awareAt),
          summary: body.summary,
        });
        return reply.code(201).send(incident);
      },
    );

    app.get(
      '/api/v1/incidents',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Incidents, newest first; status "open" means investigating, identified or monitoring',
          security: SECURITY,
          querystring: z.strictObject({
            status: z.enum([...INCIDENT_STATUSES, 'open']).optional(),
            service: ServiceName.optional(),
            limit: z.coerce.number().int().min(1).max(1_000).default(200),
          }),
        },
      },
      async (request) => ({ items: await incidents.list(principalOf(request), request.query) }),
    );

    app.get(
      '/api/v1/incidents/:id',
      {
        schema: { tags: ['incidents'], summary: 'One incident', security: SECURITY, params: IdParams },
      },
      async (request) => incidents.get(principalOf(request), request.params.id),
    );

    app.get(
      '/api/v1/incidents/:id/timeline',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Every ledger event of the incident and its alerts, oldest first',
          security: SECURITY,
          params: IdParams,
        },
      },
      async (request) => ({ items: await incidents.timeline(principalOf(request), request.params.id) }),
    );

    app.get(
      '/api/v1/incidents/:id/clocks',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Regulatory reporting clocks (DORA, GDPR, NIS2, UK) and impact-tolerance clocks, with status',
          security: SECURITY,
          params: IdParams,
          querystring: z.strictObject({ at: Time.optional() }),
        },
      },
      async (request) => incidents.clocks(principalOf(request), request.params.id, dateOf(request.query.at)),
    );

    app.get(
      '/api/v1/incidents/:id/report',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'A draft for review: the post-incident review, or a DORA initial, intermediate or final report (Implementing Regulation 2025/302 numbering)',
          security: SECURITY,
          params: IdParams,
          querystring: z.strictObject({
            kind: z.enum(INCIDENT_REPORT_KINDS).default('review'),
            format: z.enum(['markdown', 'json']).default('markdown'),
          }),
        },
      },
      async (request, reply) => {
        const report = await incidents.report(principalOf(request), request.params.id, request.query.kind);
        if (request.query.format === 'json') return report;
        return reply.type('text/markdown; charset=utf-8').send(report.markdown);
      },
    );

    app.post(
      '/api/v1/incidents/:id/acknowledge',
      {
        schema: { tags: ['incidents'], summary: 'Acknowledge the incident', security: SECURITY, params: IdParams },
      },
      async (request) => incidents.acknowledge(principalOf(request), request.params.id),
    );

    app.post(
      '/api/v1/incidents/:id/update',
      {
        schema: {
          tags: ['incidents'],
          summary: 'A status update: a message, and optionally a new status or severity',
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({
            message: Text,
            status: z.enum(['investigating', 'identified', 'monitoring']).optional(),
            severity: z.enum(SEVERITIES).optional(),
          }),
        },
      },
      async (request) => incidents.update(principalOf(request), request.params.id, request.body),
    );

    app.post(
      '/api/v1/incidents/:id/assign',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Assign a role: incident commander, communications or operations',
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({ role: z.enum(INCIDENT_ROLES), assignee: z.string().trim().min(1).max(200) }),
        },
      },
      async (request) =>
        incidents.assign(principalOf(request), request.params.id, request.body.role, request.body.assignee),
    );

    app.post(
      '/api/v1/incidents/:id/timestamps',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'Record when the incident occurred, was first evidenced, became known, was mitigated, or its root cause was addressed',
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({ timestamp: z.enum(RECORDABLE_TIMESTAMPS), at: Time }),
        },
      },
      async (request) =>
        incidents.recordTimestamp(
          principalOf(request),
          request.params.id,
          request.body.timestamp,
          new Date(request.body.at),
        ),
    );

    app.post(
      '/api/v1/incidents/:id/services',
      {
        schema: {
          tags: ['incidents'],
          summary: "Record a service's degradation and restoration times in the incident",
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({ service: ServiceName, degradedAt: Time.optional(), restoredAt: Time.optional() }),
        },
      },
      async (request) =>
        incidents.recordService(principalOf(request), request.params.id, {
          service: request.body.service,
          degradedAt: dateOf(request.body.degradedAt),
          restoredAt: dateOf(request.body.restoredAt),
        }),
    );

    app.post(
      '/api/v1/incidents/:id/links',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Link an SLO, change, deployment or other incident, with how it relates',
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({
            kind: z.enum(['slo', 'change', 'deployment', 'incident']),
            target: z.string().trim().min(1).max(200),
            relation: z.string().trim().min(1).max(100).default('related'),
          }),
        },
      },
      async (request) => incidents.link(principalOf(request), request.params.id, request.body),
    );

    app.post(
      '/api/v1/incidents/:id/classification',
      {
        schema: {
          tags: ['incidents'],
          summary:
            'Record the regulatory classification and when it was made; with DORA inputs, the major-incident assessment (2024/1772) is computed and recorded; the reporting clocks start from it',
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({
            classifiedAt: Time.optional(),
            regimes: RegimesBody.prefault({}),
            dora: DoraClassificationInputSchema.optional(),
            rootCause: z.string().trim().min(1).max(200).optional(),
          }),
        },
      },
      async (request) =>
        incidents.classify(principalOf(request), request.params.id, {
          classifiedAt: dateOf(request.body.classifiedAt),
          regimes: request.body.regimes,
          dora: request.body.dora,
          rootCause: request.body.rootCause,
        }),
    );

    app.post(
      '/api/v1/incidents/:id/reports',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Record a report as submitted to its authority; clocks anchored on it move on',
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({
            regime: z.enum(['dora', 'gdpr', 'nis2', 'uk-incident-reporting']),
            report: z.string().min(1).max(40),
            submittedAt: Time.optional(),
            reference: z.string().trim().min(1).max(200).optional(),
          }),
        },
      },
      async (request, reply) => {
        const incident = await incidents.recordReport(principalOf(request), request.params.id, {
          regime: request.body.regime,
          report: request.body.report,
          submittedAt: dateOf(request.body.submittedAt),
          reference: request.body.reference,
        });
        return reply.code(201).send(incident);
      },
    );

    app.post(
      '/api/v1/incidents/:id/resolve',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Resolve the incident; services not yet restored are restored at the same time',
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({ at: Time.optional(), message: Text.optional() }).prefault({}),
        },
      },
      async (request) =>
        incidents.resolve(principalOf(request), request.params.id, {
          at: dateOf(request.body.at),
          message: request.body.message,
        }),
    );

    app.post(
      '/api/v1/incidents/:id/close',
      {
        schema: {
          tags: ['incidents'],
          summary: 'Close a resolved incident',
          security: SECURITY,
          params: IdParams,
          body: z.strictObject({ message: Text.optional() }).prefault({}),
        },
      },
      async (request) => incidents.close(principalOf(request), request.params.id, { message: request.body.message }),
    );
  };
}
