/**
 * The ledger events of an incident's life, with the schema of each event's data. Projectors and the timeline read
 * events through these schemas, so an event written by an older or newer version fails loudly, not silently.
 * @module
 */
import { z } from 'zod';
import type { JsonValue, NewLedgerEvent } from '../ledger/index.js';
import { INCIDENT_ROLES, INCIDENT_STATUSES, INCIDENT_TIMESTAMPS, SEVERITIES } from './types.js';

export const INCIDENT_EVENT_TYPES = {
  declared: 'incident.declared',
  acknowledged: 'incident.acknowledged',
  updated: 'incident.updated',
  severityChanged: 'incident.severity_changed',
  roleAssigned: 'incident.role_assigned',
  timestampRecorded: 'incident.timestamp_recorded',
  serviceRecorded: 'incident.service_recorded',
  linked: 'incident.linked',
  classified: 'incident.classified',
  reportSubmitted: 'incident.report_submitted',
  resolved: 'incident.resolved',
  closed: 'incident.closed',
} as const;

export type IncidentEventType = (typeof INCIDENT_EVENT_TYPES)[keyof typeof INCIDENT_EVENT_TYPES];

const Time = z.iso.datetime();
const Severity = z.enum(SEVERITIES);

export const DeclaredData = z.strictObject({
  incidentId: z.string(),
  number: z.number().int().positive(),
  title: z.string(),
  severity: Severity,
  origin: z.enum(['alert', 'manual']),
  services: z.array(z.string()),
  correlationKeys: z.array(z.string()),
  occurredAt: Time.nullable(),
  firstEvidenceAt: Time.nullable(),
  awareAt: Time,
  summary: z.string().nullable(),
});

/** The part of the alerts area's `alert.fired` that incidents read: the alert joined `incidentId`. */
export const ALERT_FIRED = 'alert.fired';
export const AlertJoinedData = z.looseObject({
  startsAt: Time,
  incidentId: z.string().nullable(),
  enrichment: z.looseObject({ service: z.string().nullable() }),
});

export const AcknowledgedData = z.strictObject({ incidentId: z.string(), at: Time });

export const UpdatedData = z.strictObject({
  incidentId: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  previousStatus: z.enum(INCIDENT_STATUSES),
  message: z.string(),
});

export const SeverityChangedData = z.strictObject({
  incidentId: z.string(),
  from: Severity,
  to: Severity,
  reason: z.string(),
});

export const RoleAssignedData = z.strictObject({
  incidentId: z.string(),
  role: z.enum(INCIDENT_ROLES),
  assignee: z.string(),
});

export const TimestampRecordedData = z.strictObject({
  incidentId: z.string(),
  timestamp: z.enum(INCIDENT_TIMESTAMPS),
  at: Time,
});

/** A service's part in the incident: added, degraded from, restored at. */
export const ServiceRecordedData = z.strictObject({
  incidentId: z.string(),
  service: z.string(),
  degradedAt: Time.nullable(),
  restoredAt: Time.nullable(),
});

/** The seam for other areas: an SLO, a change or a deployment linked to the incident, with how it relates. */
export const LinkedData = z.strictObject({
  incidentId: z.string(),
  kind: z.enum(['slo', 'change', 'deployment', 'incident']),
  target: z.string(),
  relation: z.string(),
});

export const ClassifiedData = z.strictObject({
  incidentId: z.string(),
  classifiedAt: Time,
  regimes: z.strictObject({
    doraMajor: z.boolean(),
    gdprPersonalDataBreach: z.boolean(),
    nis2Significant: z.boolean(),
    ukOperationalIncident: z.boolean(),
  }),
  dora: z.unknown().nullable(),
  rootCause: z.string().nullable(),
});

export const ReportSubmittedData = z.strictObject({
  incidentId: z.string(),
  regime: z.enum(['dora', 'gdpr', 'nis2', 'uk-incident-reporting']),
  report: z.string(),
  submittedAt: Time,
  reference: z.string().nullable(),
});

export const ResolvedData = z.strictObject({ incidentId: z.string(), at: Time, message: z.string().nullable() });
export const ClosedData = z.strictObject({ incidentId: z.string(), message: z.string().nullable() });

export const INCIDENT_EVENT_SCHEMAS = {
  [INCIDENT_EVENT_TYPES.declared]: DeclaredData,
  [INCIDENT_EVENT_TYPES.acknowledged]: AcknowledgedData,
  [INCIDENT_EVENT_TYPES.updated]: UpdatedData,
  [INCIDENT_EVENT_TYPES.severityChanged]: SeverityChangedData,
  [INCIDENT_EVENT_TYPES.roleAssigned]: RoleAssignedData,
  [INCIDENT_EVENT_TYPES.timestampRecorded]: TimestampRecordedData,
  [INCIDENT_EVENT_TYPES.serviceRecorded]: ServiceRecordedData,
  [INCIDENT_EVENT_TYPES.linked]: LinkedData,
  [INCIDENT_EVENT_TYPES.classified]: ClassifiedData,
  [INCIDENT_EVENT_TYPES.reportSubmitted]: ReportSubmittedData,
  [INCIDENT_EVENT_TYPES.resolved]: ResolvedData,
  [INCIDENT_EVENT_TYPES.closed]: ClosedData,
} as const satisfies Record<IncidentEventType, z.ZodType>;

export type IncidentEventData<T extends IncidentEventType> = z.output<(typeof INCIDENT_EVENT_SCHEMAS)[T]>;

export function incidentSubject(incidentId: string): string {
  return `incident:${incidentId}`;
}

/** A new incident event with its data checked against the type's schema. */
export function incidentEvent<T extends IncidentEventType>(
  type: T,
  actor: string,
  data: IncidentEventData<T>,
): NewLedgerEvent {
  INCIDENT_EVENT_SCHEMAS[type].parse(data);
  return { actor, type, subject: incidentSubject(data.incidentId), data: data as JsonValue };
}

export function isIncidentEventType(type: string): type is IncidentEventType {
  return Object.hasOwn(INCIDENT_EVENT_SCHEMAS, type);
}

export function incidentDataOf<T extends IncidentEventType>(type: T, data: JsonValue): IncidentEventData<T> {
  return INCIDENT_EVENT_SCHEMAS[type].parse(data) as IncidentEventData<T>;
}
