import { VERSION } from '../../version.js';
import { headline, servicesLine } from '../message-text.js';
import type { ChannelConfig } from '../notify-config.js';
import type { NotificationChannel, NotificationSeverity, OutboundNotification } from '../types.js';
import { type ChannelOptions, HttpChannel, type OutgoingRequest } from './http-post.js';

export type TeamsChannelConfig = Extract<ChannelConfig, { readonly kind: 'teams' }>;

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

type TextColour = 'Default' | 'Attention' | 'Warning' | 'Good';

const SEVERITY_COLOURS = {
  SEV1: 'Attention',
  SEV2: 'Attention',
  SEV3: 'Warning',
  SEV4: 'Default',
} as const satisfies Readonly<Record<NotificationSeverity, TextColour>>;

export type AdaptiveElement =
  | {
      readonly type: 'TextBlock';
      readonly text: string;
      readonly wrap: true;
      readonly weight?: 'Bolder';
      readonly size?: 'Small' | 'Medium' | 'Large';
      readonly color?: TextColour;
      readonly isSubtle?: boolean;
    }
  | {
      readonly type: 'FactSet';
      readonly facts: ReadonlyArray<{ readonly title: string; readonly value: string }>;
    };

export interface AdaptiveCard {
  readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  readonly type: 'AdaptiveCard';
  readonly version: '1.4';
  readonly body: ReadonlyArray<AdaptiveElement>;
  readonly actions?: ReadonlyArray<{ readonly type: 'Action.OpenUrl'; readonly title: string; readonly url: string }>;
  readonly msteams: { readonly width: 'Full' };
}

/** What a Teams workflow ("When a Teams webhook request is received") and a classic incoming webhook both take. */
export interface TeamsBody {
  readonly type: 'message';
  readonly attachments: ReadonlyArray<{
    readonly contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
    readonly contentUrl: null;
    readonly content: AdaptiveCard;
  }>;
}

export function adaptiveCard(message: OutboundNotification): AdaptiveCard {
  const facts: Array<{ readonly title: string; readonly value: string }> = [
    { title: 'Severity', value: message.severity },
  ];
  if (message.team !== undefined) facts.push({ title: 'Team', value: message.team });
  const services = servicesLine(message);
  if (services !== undefined) facts.push({ title: 'Services', value: services });
  facts.push({ title: 'Incident', value: message.incidentId });
  for (const detail of message.details) facts.push({ title: detail.label, value: detail.value });
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: [
      {
        type: 'TextBlock',
        text: headline(message),
        wrap: true,
        weight: 'Bolder',
        size: 'Medium',
        color: SEVERITY_COLOURS[message.severity],
      },
      { type: 'TextBlock', text: message.summary, wrap: true },
      { type: 'FactSet', facts },
      {
        type: 'TextBlock',
        text: `Recorded by sre-agent at ${message.occurredAt}`,
        wrap: true,
        size: 'Small',
        isSubtle: true,
      },
    ],
    ...(message.url === undefined
      ? {}
      : { actions: [{ type: 'Action.OpenUrl', title: 'Open the incident', url: message.url }] }),
    msteams: { width: 'Full' },
  };
}

export function teamsBody(message: OutboundNotification): TeamsBody {
  return {
    type: 'message',
    attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: adaptiveCard(message) }],
  };
}

export function teamsRequest(config: Pick<TeamsChannelConfig, 'url'>, message: OutboundNotification): OutgoingRequest {
  return {
    url: config.url,
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': `sre-agent/${VERSION}` },
    body: JSON.stringify(teamsBody(message)),
  };
}

/** A Microsoft Teams workflow or incoming webhook; workflows answer 202, classic webhooks 200. */
export function teamsChannel(name: string, config: TeamsChannelConfig, options: ChannelOptions): NotificationChannel {
  return HttpChannel.create('teams', name, { request: (message) => teamsRequest(config, message) }, options);
}
