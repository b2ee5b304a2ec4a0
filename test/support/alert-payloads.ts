/**
 * Alertmanager webhook bodies (version 4) for tests, shaped as Alertmanager 0.25 sends them.
 * @module
 */
import { fingerprintOf } from '../../src/alerts/index.js';

export interface TestAlert {
  readonly labels: Record<string, string>;
  readonly status?: 'firing' | 'resolved';
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly summary?: string;
}

/** One notification for a group keyed by alertname and service, holding the group's whole state. */
export function webhookOf(alerts: ReadonlyArray<TestAlert>, groupLabels: Record<string, string> = {}) {
  const firing = alerts.some((alert) => (alert.status ?? 'firing') === 'firing');
  return {
    receiver: 'sre-agent',
    status: firing ? 'firing' : 'resolved',
    alerts: alerts.map((alert) => ({
      status: alert.status ?? 'firing',
      labels: alert.labels,
      annotations: { summary: alert.summary ?? `${alert.labels.alertname} on ${alert.labels.service}` },
      startsAt: alert.startsAt ?? '2026-11-27T09:58:00Z',
      endsAt: alert.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.invalid/graph',
      fingerprint: fingerprintOf(alert.labels),
    })),
    groupLabels,
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.invalid',
    version: '4',
    groupKey: `{}:${JSON.stringify(groupLabels)}`,
    truncatedAlerts: 0,
  };
}
