import type { Labels } from './fingerprint.js';

export type AlertStatus = 'firing' | 'resolved';

/** Where an alert came from: an Alertmanager webhook, the generic alerts API, or sre-agent's own SLO evaluator. */
export type AlertSource = 'alertmanager' | 'api' | 'slo';

/** One alert as a notification reports it, normalised from any source. Times are ISO 8601 UTC. */
export interface ReceivedAlert {
  readonly fingerprint: string;
  readonly status: AlertStatus;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: string;
  /** Absent while firing with no known end. */
  readonly endsAt: string | undefined;
  readonly generatorUrl: string | undefined;
}

/** The alerts of one delivery: a whole Alertmanager group, or what a client posted. */
export interface AlertBatch {
  readonly source: AlertSource;
  readonly groupKey: string | undefined;
  readonly receiver: string | undefined;
  readonly alerts: ReadonlyArray<ReceivedAlert>;
}

/** What the catalogue says about an alert's service. */
export interface AlertEnrichment {
  readonly service: string | undefined;
  readonly team: string | undefined;
  readonly tier: number | undefined;
  readonly importantBusinessServices: ReadonlyArray<string>;
  readonly runbook: string | undefined;
}

/** The state of an alert as last recorded, enough to tell a transition from a repeat. */
export interface RecordedAlert {
  readonly fingerprint: string;
  readonly status: AlertStatus;
  readonly startsAt: string;
  readonly service: string | undefined;
  readonly incidentId: string | undefined;
}

export type AlertTransition =
  | { readonly kind: 'fired'; readonly alert: ReceivedAlert }
  | { readonly kind: 'resolved'; readonly alert: ReceivedAlert; readonly previous: RecordedAlert };
