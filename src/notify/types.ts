/**
 * The notification model: what the incident and alert areas ask to be sent, and what a channel answers.
 * No channel's wire format appears here; the adapters in `channels/` translate.
 * @module
 */

/**
 * What happened, dotted like the ledger event behind it:
 * - `incident.declared`: a new incident; PagerDuty usually triggers.
 * - `incident.acknowledged`: someone has taken it on.
 * - `incident.updated`: a status update, role change or other news worth telling responders.
 * - `incident.severity_changed`: raised or lowered; the message carries the new severity.
 * - `incident.resolved`: impact has ended; PagerDuty usually resolves.
 * - `incident.closed`: follow-up done; nothing more will be sent about it.
 * - `clock.reminder`: a regulatory reporting deadline is approaching.
 * - `clock.overdue`: a regulatory reporting deadline has passed without a submission.
 */
export const NOTIFICATION_KINDS = [
  'incident.declared',
  'incident.acknowledged',
  'incident.updated',
  'incident.severity_changed',
  'incident.resolved',
  'incident.closed',
  'clock.reminder',
  'clock.overdue',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** SEV1 is the most severe. */
export const NOTIFICATION_SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type NotificationSeverity = (typeof NOTIFICATION_SEVERITIES)[number];

export const PAGER_DUTY_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export type PagerDutyAction = (typeof PAGER_DUTY_ACTIONS)[number];

/** One labelled line shown under the summary, such as `Commander: alice` or `DORA initial report due: 14:00`. */
export interface NotificationDetail {
  readonly label: string;
  readonly value: string;
}

export interface OutboundNotification {
  readonly kind: NotificationKind;
  readonly incidentId: string;
  readonly title: string;
  readonly severity: NotificationSeverity;
  /** The owning team's name, when the incident has one; routes may filter on it. */
  readonly team?: string | undefined;
  readonly services: ReadonlyArray<string>;
  /** Plain UK English text, no markup: each channel escapes it for its own format. */
  readonly summary: string;
  readonly details: ReadonlyArray<NotificationDetail>;
  /** Where people can open the incident. */
  readonly url?: string | undefined;
  /** ISO 8601 UTC time of the event being told, the same on every attempt. */
  readonly occurredAt: string;
  /** What PagerDuty channels do; `dedupKey` (at most 255 characters) should be stable for the incident. */
  readonly pagerDuty: { readonly action: PagerDutyAction; readonly dedupKey: string };
}

export type ChannelKind = 'webhook' | 'slack' | 'teams' | 'pagerduty';

/**
 * What one delivery attempt came to. Reasons name the channel and the HTTP status or network failure, never a
 * URL, secret or routing key.
 */
export type DeliveryResult =
  | { readonly outcome: 'delivered' }
  | { readonly outcome: 'retry'; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly outcome: 'failed'; readonly reason: string };

export interface DeliveryContext {
  /** The caller's key: the same on every attempt, so that receivers can drop repeats. */
  readonly idempotencyKey: string;
  readonly now: Date;
}

/** A configured destination that can attempt one delivery; expected failures come back as values. */
export interface NotificationChannel {
  readonly name: string;
  readonly kind: ChannelKind;
  deliver(message: OutboundNotification, context: DeliveryContext): Promise<DeliveryResult>;
}

/** The slice of a pino logger the deliverer writes to. */
export interface NotificationLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

/** One queued notification for one channel, as an operator sees it. */
export interface OutboxEntry {
  readonly id: string;
  readonly createdAt: string;
  readonly channel: string;
  readonly idempotencyKey: string;
  readonly status: OutboxStatus;
  /** Attempts started, the one in flight included. */
  readonly attempts: number;
  readonly nextAttemptAt: string;
  /** Set while a deliverer holds the row. */
  readonly claimedUntil: string | undefined;
  readonly lastError: string | undefined;
  readonly deliveredAt: string | undefined;
  /** Undefined when the stored message is not one this version can read. */
  readonly notification: OutboundNotification | undefined;
}

export interface ListOutboxOptions {
  readonly status?: OutboxStatus;
  /** 1 to 500. */
  readonly limit: number;
}
