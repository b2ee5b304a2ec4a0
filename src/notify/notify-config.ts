import { z } from 'zod';
import { parseDuration } from '../clock/duration.js';
import { NOTIFICATION_KINDS, NOTIFICATION_SEVERITIES } from './types.js';

export const DEFAULT_PAGER_DUTY_URL = 'https://events.pagerduty.com/v2/enqueue';

const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

function durationBetween(minMs: number, maxMs: number, range: string) {
  return z.string().refine(
    (text) => {
      const parsed = parseDuration(text);
      return parsed.ok && parsed.milliseconds >= minMs && parsed.milliseconds <= maxMs;
    },
    { error: `must be a duration from ${range}` },
  );
}

const WebhookChannelSchema = z.strictObject({
  kind: z.literal('webhook'),
  url: HttpUrl,
  /** Signs each body (HMAC-SHA256) so that the receiver can tell it came from us. */
  secret: z.string().min(16, { error: 'must be at least 16 characters' }),
});

const SlackChannelSchema = z.strictObject({
  kind: z.literal('slack'),
  /** The incoming webhook URL, itself a secret. */
  url: HttpUrl,
});

const TeamsChannelSchema = z.strictObject({
  kind: z.literal('teams'),
  /** The workflow (or incoming webhook) URL, itself a secret. */
  url: HttpUrl,
});

const PagerDutyChannelSchema = z.strictObject({
  kind: z.literal('pagerduty'),
  /** The 32-character integration key of an Events API v2 integration. */
  routingKey: z.string().regex(/^\S{32}$/, { error: 'must be the 32-character integration key' }),
  /** The Events API v2 endpoint; `https://events.eu.pagerduty.com/v2/enqueue` for the EU service region. */
  url: HttpUrl.default(DEFAULT_PAGER_DUTY_URL),
});

export const ChannelConfigSchema = z.discriminatedUnion('kind', [
  WebhookChannelSchema,
  SlackChannelSchema,
  TeamsChannelSchema,
  PagerDutyChannelSchema,
]);

/** Every filter given must match; a route without filters takes every notification. */
export const NotificationRouteSchema = z.strictObject({
  team: z.string().min(1).optional(),
  severities: z.array(z.enum(NOTIFICATION_SEVERITIES)).min(1).optional(),
  kinds: z.array(z.enum(NOTIFICATION_KINDS)).min(1).optional(),
  channels: z.array(z.string().min(1)).min(1),
});

export const NotificationsConfigSchema = z
  .strictObject({
    channels: z
      .record(
        z.string().regex(CHANNEL_NAME, {
          error: 'channel names are lower case letters, digits, "-" and "_", such as payments-oncall',
        }),
        ChannelConfigSchema,
      )
      .default({}),
    routes: z.array(NotificationRouteSchema).default([]),
    delivery: z
      .strictObject({
        /** Attempts per notification and channel, the first included, before it is marked failed. */
        maxAttempts: z.coerce.number().int().min(1).max(100).default(8),
        /** The ceiling of the first retry's delay; it doubles on each retry up to maxBackoff. */
        initialBackoff: durationBetween(100, 3_600_000, '100ms to 1h, such as 10s').default('10s'),
        maxBackoff: durationBetween(100, 86_400_000, '100ms to 1d, such as 15m').default('15m'),
        /** Per attempt, the answer's body included. */
        timeout: durationBetween(100, 120_000, '100ms to 2m, such as 10s').default('10s'),
      })
      .prefault({}),
  })
  .superRefine((config, context) => {
    const known = Object.keys(config.channels);
    for (const [routeIndex, route] of config.routes.entries()) {
      for (const [channelIndex, name] of route.channels.entries()) {
        if (Object.hasOwn(config.channels, name)) continue;
        context.addIssue({
          code: 'custom',
          path: ['routes', routeIndex, 'channels', channelIndex],
          message: `names the channel "${name}", which is not configured (configured: ${known.length === 0 ? 'none' : known.join(', ')})`,
        });
      }
    }
    const initial = parseDuration(config.delivery.initialBackoff);
    const max = parseDuration(config.delivery.maxBackoff);
    if (initial.ok && max.ok && initial.milliseconds > max.milliseconds) {
      context.addIssue({
        code: 'custom',
        path: ['delivery', 'maxBackoff'],
        message: 'must be at least initialBackoff',
      });
    }
  });

export type NotificationsConfig = z.output<typeof NotificationsConfigSchema>;
export type NotificationsConfigInput = z.input<typeof NotificationsConfigSchema>;
export type ChannelConfig = z.output<typeof ChannelConfigSchema>;
export type NotificationRoute = z.output<typeof NotificationRouteSchema>;

/** How the deliverer retries, in milliseconds. */
export interface DeliveryPolicy {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly timeoutMs: number;
}

/** The delivery settings of a parsed configuration, in milliseconds. */
export function deliveryPolicyOf(config: NotificationsConfig): DeliveryPolicy {
  return {
    maxAttempts: config.delivery.maxAttempts,
    initialBackoffMs: millisecondsOf(config.delivery.initialBackoff),
    maxBackoffMs: millisecondsOf(config.delivery.maxBackoff),
    timeoutMs: millisecondsOf(config.delivery.timeout),
  };
}

function millisecondsOf(text: string): number {
  const parsed = parseDuration(text);
  // The schema accepted it, so this is a configuration that skipped the schema.
  if (!parsed.ok) throw new RangeError(parsed.message);
  return parsed.milliseconds;
}
