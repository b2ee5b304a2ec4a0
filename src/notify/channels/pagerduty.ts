import { VERSION } from '../../version.js';
import { headline, truncateText } from '../message-text.js';
import type { ChannelConfig } from '../notify-config.js';
import type { NotificationChannel, NotificationSeverity, OutboundNotification } from '../types.js';
import { type ChannelOptions, HttpChannel, type OutgoingRequest } from './http-post.js';

export type PagerDutyChannelConfig = Extract<ChannelConfig, { readonly kind: 'pagerduty' }>;

/** PagerDuty refuses a longer summary. */
export const PAGER_DUTY_SUMMARY_LIMIT = 1_024;

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

const PAGER_DUTY_SEVERITIES = {
  SEV1: 'critical',
  SEV2: 'error',
  SEV3: 'warning',
  SEV4: 'info',
} as const satisfies Readonly<Record<NotificationSeverity, PagerDutySeverity>>;

export function pagerDutySeverity(severity: NotificationSeverity): PagerDutySeverity {
  return PAGER_DUTY_SEVERITIES[severity];
}

/** An Events API v2 event. Acknowledge and resolve carry only the key, the action and the dedup key. */
export type PagerDutyEvent =
  | {
      readonly routing_key: string;
      readonly event_action: 'trigger';
      readonly dedup_key: string;
      readonly payload: {
        readonly summary: string;
        readonly source: string;
        readonly severity: PagerDutySeverity;
        readonly timestamp: string;
        readonly component?: string;
        readonly group?: string;
        readonly class: string;
        readonly custom_details: Readonly<Record<string, string | ReadonlyArray<string>>>;
      };
      readonly client: 'sre-agent';
      readonly client_url?: string;
      readonly links?: ReadonlyArray<{ readonly href: string; readonly text: string }>;
    }
  | {
      readonly routing_key: string;
      readonly event_action: 'acknowledge' | 'resolve';
      readonly dedup_key: string;
    };

export function pagerDutyEvent(routingKey: string, message: OutboundNotification): PagerDutyEvent {
  const { action, dedupKey } = message.pagerDuty;
  if (action !== 'trigger') return { routing_key: routingKey, event_action: action, dedup_key: dedupKey };
  const details: Record<string, string | ReadonlyArray<string>> = {
    incident_id: message.incidentId,
    kind: message.kind,
    summary: message.summary,
    services: message.services,
  };
  if (message.team !== undefined) details.team = message.team;
  // Labels the message itself did not set; a detail with a reserved label is shown under a prefix instead.
  for (const detail of message.details) {
    const key = Object.hasOwn(details, detail.label) ? `detail: ${detail.label}` : detail.label;
    details[key] = detail.value;
  }
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: truncateText(`${headline(message)}: ${message.summary}`, PAGER_DUTY_SUMMARY_LIMIT),
      source: message.services[0] ?? 'sre-agent',
      severity: pagerDutySeverity(message.severity),
      timestamp: message.occurredAt,
      ...(message.services.length === 0 ? {} : { component: message.services.join(', ') }),
      ...(message.team === undefined ? {} : { group: message.team }),
      class: message.kind,
      custom_details: details,
    },
    client: 'sre-agent',
    ...(message.url === undefined
      ? {}
      : { client_url: message.url, links: [{ href: message.url, text: 'Open the incident in sre-agent' }] }),
  };
}

export function pagerDutyRequest(
  config: Pick<PagerDutyChannelConfig, 'url' | 'routingKey'>,
  message: OutboundNotification,
): OutgoingRequest {
  return {
    url: config.url,
    headers: { 'content-type': 'application/json', 'user-agent': `sre-agent/${VERSION}` },
    body: JSON.stringify(pagerDutyEvent(config.routingKey, message)),
  };
}

/**
 * PagerDuty Events API v2: 202 is accepted, 400 a malformed event that will never be accepted, 429 and 5xx worth
 * another attempt. The routing key never appears in a reason.
 */
export function pagerDutyChannel(
  name: string,
  config: PagerDutyChannelConfig,
  options: ChannelOptions,
): NotificationChannel {
  return HttpChannel.create('pagerduty', name, { request: (message) => pagerDutyRequest(config, message) }, options);
}
