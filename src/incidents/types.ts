export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const INCIDENT_ROLES = ['commander', 'communications', 'operations'] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];

/** The moments an incident records, each with who set it; a service's degradation and restoration are per service. */
export const INCIDENT_TIMESTAMPS = [
  'occurred',
  'firstEvidence',
  'aware',
  'acknowledged',
  'classified',
  'mitigated',
  'resolved',
  'closed',
  'rootCauseAddressed',
] as const;
export type IncidentTimestamp = (typeof INCIDENT_TIMESTAMPS)[number];

export interface SetTime {
  readonly at: string;
  readonly by: string;
}

/** SEV1 is the most severe. */
export function moreSevere(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b) ? a : b;
}
