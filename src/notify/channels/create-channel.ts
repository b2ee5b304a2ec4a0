import type { ChannelConfig } from '../notify-config.js';
import type { NotificationChannel } from '../types.js';
import { genericWebhookChannel } from './generic-webhook.js';
import { pagerDutyChannel } from './pagerduty.js';
import { slackChannel } from './slack.js';
import { teamsChannel } from './teams.js';

export interface CreateChannelOptions {
  /** Per attempt, the answer included. */
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export function createChannel(name: string, config: ChannelConfig, options: CreateChannelOptions): NotificationChannel {
  switch (config.kind) {
    case 'webhook':
      return genericWebhookChannel(name, config, options);
    case 'slack':
      return slackChannel(name, config, options);
    case 'teams':
      return teamsChannel(name, config, options);
    case 'pagerduty':
      return pagerDutyChannel(name, config, options);
    default:
      return unknownKind(config, name);
  }
}

// Not assertNever: that would print the configuration, secrets and all.
function unknownKind(_config: never, name: string): never {
  throw new Error(`channel "${name}" is of an unknown kind`);
}

/** Every configured channel by name. */
export function createChannels(
  channels: Readonly<Record<string, ChannelConfig>>,
  options: CreateChannelOptions,
): ReadonlyMap<string, NotificationChannel> {
  return new Map(Object.entries(channels).map(([name, config]) => [name, createChannel(name, config, options)]));
}
