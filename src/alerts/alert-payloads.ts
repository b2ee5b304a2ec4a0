/**
 * Request bodies that carry alerts, and their normalisation. Alertmanager's webhook (version 4) is read leniently:
 * later releases add fields (`notification_reason`, `routeLabels`), so unknown keys are kept, not refused.
 * @module
 */
import { z } from 'zod';
import { fingerprintOf } from './fingerprint.js';
import type { AlertBatch, AlertStatus, ReceivedAlert } from './types.js';

const MAX_ALERTS_PER_REQUEST = 10_000;

const Time = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 time such as 2026-11-27T10:00:00Z' });
const LabelName = z.string().min(1).max(256);
const LabelMap = z.record(LabelName, z.string().max(16_384));
const Labels = LabelMap.refine((labels) => Object.keys(labels).length > 0, 'must have at least one label').refine(
  (labels) => Object.keys(labels).length <= 100,
  'must have at most 100 labels',
);

const AlertmanagerAlert = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: Labels,
  annotations: LabelMap.optional(),
  startsAt: Time,
  endsAt: Time.optional(),
  generatorURL: z.string().max(4_096).optional(),
  fingerprint: z.string().optional(),
});

export const AlertmanagerWebhookSchema = z.looseObject({
  version: z.literal('4', { error: 'only version "4" of the Alertmanager webhook is understood' }),
  groupKey: z.string().max(16_384),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(1_024),
  groupLabels: LabelMap.optional(),
  commonLabels: LabelMap.optional(),
  commonAnnotations: LabelMap.optional(),
  externalURL: z.string().max(4_096).optional(),
  alerts: z.array(AlertmanagerAlert).max(MAX_ALERTS_PER_REQUEST),
});
export type AlertmanagerWebhook = z.output<typeof AlertmanagerWebhookSchema>;

const PostedAlert = z.strictObject({
  labels: Labels,
  annotations: LabelMap.optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  startsAt: Time.optional(),
  endsAt: Time.optional(),
  generatorURL: z.string().max(4_096).optional(),
});

/** `POST /api/v1/alerts`: any source's alerts; without `status`, an `endsAt` in the past means resolved. */
export const PostedAlertsSchema = z.strictObject({
  alerts: z.array(PostedAlert).min(1).max(MAX_ALERTS_PER_REQUEST),
});
export type PostedAlerts = z.output<typeof PostedAlertsSchema>;

function isoOf(time: string): string {
  return new Date(time).toISOString();
}

function endOf(time: string | undefined): string | undefined {
  if (time === undefined) return undefined;
  const ms = new Date(time).getTime();
  // Alertmanager writes Go's zero time (year 1) for firing alerts with no known end.
  return ms <= 0 ? undefined : new Date(ms).toISOString();
}

function receivedAlert(input: {
  readonly status: AlertStatus;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string> | undefined;
  readonly startsAt: string;
  readonly endsAt: string | undefined;
  readonly generatorURL: string | undefined;
}): ReceivedAlert {
  return {
    // Recomputed, not trusted: the same labels give the same alert whichever source sent them.
    fingerprint: fingerprintOf(input.labels),
    status: input.status,
    labels: input.labels,
    annotations: input.annotations ?? {},
    startsAt: isoOf(input.startsAt),
    endsAt: endOf(input.endsAt),
    generatorUrl: input.generatorURL === undefined || input.generatorURL === '' ? undefined : input.generatorURL,
  };
}

export function batchOfWebhook(webhook: AlertmanagerWebhook): AlertBatch {
  return {
    source: 'alertmanager',
    groupKey: webhook.groupKey,
    receiver: webhook.receiver,
    alerts: webhook.alerts.map((alert) =>
      receivedAlert({
        status: alert.status,
        labels: alert.labels,
        annotations: alert.annotations,
        startsAt: alert.startsAt,
        endsAt: alert.endsAt,
        generatorURL: alert.generatorURL,
      }),
    ),
  };
}

/** A posted alert without `startsAt` starts at receipt; without `status`, it is resolved once `endsAt` has passed. */
export function batchOfPostedAlerts(posted: PostedAlerts, now: Date): AlertBatch {
  return {
    source: 'api',
    groupKey: undefined,
    receiver: undefined,
    alerts: posted.alerts.map((alert) => {
      const endsAt = endOf(alert.endsAt);
      const ended = endsAt !== undefined && new Date(endsAt).getTime() <= now.getTime();
      return receivedAlert({
        status: alert.status ?? (ended ? 'resolved' : 'firing'),
        labels: alert.labels,
        annotations: alert.annotations,
        startsAt: alert.startsAt ?? now.toISOString(),
        endsAt: alert.endsAt,
        generatorURL: alert.generatorURL,
      });
    }),
  };
}
