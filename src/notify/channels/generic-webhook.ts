import { createHmac } from 'node:crypto';
import { VERSION } from '../../version.js';
import type { ChannelConfig } from '../notify-config.js';
import type {
  DeliveryContext,
  NotificationChannel,
  NotificationDetail,
  NotificationKind,
  NotificationSeverity,
  OutboundNotification,
} from '../types.js';
import { type ChannelOptions, HttpChannel, type OutgoingRequest } from './http-post.js';

export type WebhookChannelConfig = Extract<ChannelConfig, { readonly kind: 'webhook' }>;

export const WEBHOOK_TIMESTAMP_HEADER = 'X-SRE-Agent-Timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'X-SRE-Agent-Signature';

/** The JSON body of a generic webhook; `format` changes only when a field changes meaning or goes away. */
export interface WebhookBody {
  readonly format: 'sre-agent.notification/v1';
  readonly idempotencyKey: string;
  readonly kind: NotificationKind;
  readonly occurredAt: string;
  readonly incident: {
    readonly id: string;
    readonly title: string;
    readonly severity: NotificationSeverity;
    readonly team?: string;
    readonly services: ReadonlyArray<string>;
    readonly url?: string;
  };
  readonly summary: string;
  readonly details: ReadonlyArray<NotificationDetail>;
}

export function webhookBody(message: OutboundNotification, idempotencyKey: string): WebhookBody {
  return {
    format: 'sre-agent.notification/v1',
    idempotencyKey,
    kind: message.kind,
    occurredAt: message.occurredAt,
    incident: {
      id: message.incidentId,
      title: message.title,
      severity: message.severity,
      ...(message.team === undefined ? {} : { team: message.team }),
      services: message.services,
      ...(message.url === undefined ? {} : { url: message.url }),
    },
    summary: message.summary,
    details: message.details,
  };
}

/**
 * `v1=` and the hex HMAC-SHA256, keyed with the channel's secret, of `<timestamp>.<body>`. Receivers recompute it
 * over the raw body, compare in constant time, and refuse old timestamps to stop replays.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

export function webhookRequest(
  config: Pick<WebhookChannelConfig, 'url' | 'secret'>,
  message: OutboundNotification,
  context: DeliveryContext,
): OutgoingRequest {
  const body = JSON.stringify(webhookBody(message, context.idempotencyKey));
  const timestamp = String(Math.floor(context.now.getTime() / 1_000));
  return {
    url: config.url,
    headers: {
      'content-type': 'application/json',
      'user-agent': `sre-agent/${VERSION}`,
      'idempotency-key': context.idempotencyKey,
      [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
      [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(config.secret, timestamp, body),
    },
    body,
  };
}

/** Any HTTP endpoint that takes our own signed JSON. */
export function genericWebhookChannel(
  name: string,
  config: WebhookChannelConfig,
  options: ChannelOptions,
): NotificationChannel {
  return HttpChannel.create(
    'webhook',
    name,
    { request: (message, context) => webhookRequest(config, message, context) },
    options,
  );
}
