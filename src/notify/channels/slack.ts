import { VERSION } from '../../version.js';
import { headline, servicesLine, truncateText } from '../message-text.js';
import type { ChannelConfig } from '../notify-config.js';
import type { NotificationChannel, OutboundNotification } from '../types.js';
import { type ChannelOptions, classifyReply, HttpChannel, type HttpReply, type OutgoingRequest } from './http-post.js';

export type SlackChannelConfig = Extract<ChannelConfig, { readonly kind: 'slack' }>;

// Block Kit limits: header text 150, section text 3,000, each field 2,000 and 10 fields a section.
const HEADER_LIMIT = 150;
const SECTION_LIMIT = 3_000;
const FIELD_LIMIT = 2_000;
const FIELDS_PER_SECTION = 10;
const FALLBACK_LIMIT = 1_000;

type TextObject = { readonly type: 'plain_text' | 'mrkdwn'; readonly text: string };

export type SlackBlock =
  | { readonly type: 'header'; readonly text: TextObject }
  | { readonly type: 'section'; readonly text: TextObject }
  | { readonly type: 'section'; readonly fields: ReadonlyArray<TextObject> }
  | { readonly type: 'context'; readonly elements: ReadonlyArray<TextObject> }
  | {
      readonly type: 'actions';
      readonly elements: ReadonlyArray<{ readonly type: 'button'; readonly text: TextObject; readonly url: string }>;
    };

export interface SlackBody {
  /** What notifications and clients without blocks show. */
  readonly text: string;
  readonly blocks: ReadonlyArray<SlackBlock>;
}

/** Slack's three control characters, as its formatting guide asks; other mrkdwn is left to show as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped and at most `max` characters, never cutting an escape in half. */
function mrkdwn(text: string, max: number): TextObject {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return { type: 'mrkdwn', text: escaped };
  const characters = Array.from(text);
  const sizes = characters.map((character) => (/[&<>]/.test(character) ? escapeMrkdwn(character).length : 1));
  if (sizes.reduce((sum, size) => sum + size, 0) <= max) return { type: 'mrkdwn', text: escaped };
  let kept = '';
  let used = 0;
  for (const [index, character] of characters.entries()) {
    const size = sizes[index] ?? 1;
    // Room is left for the ellipsis.
    if (used + size + 1 > max) break;
    kept += escapeMrkdwn(character);
    used += size;
  }
  return { type: 'mrkdwn', text: `${kept}…` };
}

export function slackBody(message: OutboundNotification): SlackBody {
  const title = headline(message);
  const context = [`*Severity:* ${message.severity}`];
  if (message.team !== undefined) context.push(`*Team:* ${message.team}`);
  const services = servicesLine(message);
  if (services !== undefined) context.push(`*Services:* ${services}`);
  context.push(`*Incident:* ${message.incidentId}`);

  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncateText(title, HEADER_LIMIT) } },
    { type: 'section', text: mrkdwn(message.summary, SECTION_LIMIT) },
    { type: 'context', elements: [mrkdwn(context.join('   '), SECTION_LIMIT)] },
  ];
  for (let start = 0; start < message.details.length; start += FIELDS_PER_SECTION) {
    const fields = message.details
      .slice(start, start + FIELDS_PER_SECTION)
      .map((detail) => mrkdwn(`*${detail.label}*\n${detail.value}`, FIELD_LIMIT));
    blocks.push({ type: 'section', fields });
  }
  if (message.url !== undefined) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the incident' }, url: message.url }],
    });
  }
  return { text: mrkdwn(title, FALLBACK_LIMIT).text, blocks };
}

export function slackRequest(config: Pick<SlackChannelConfig, 'url'>, message: OutboundNotification): OutgoingRequest {
  return {
    url: config.url,
    headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': `sre-agent/${VERSION}` },
    body: JSON.stringify(slackBody(message)),
  };
}

/** A Slack incoming webhook. Its URL is the credential, so it never appears in a reason. */
export function slackChannel(name: string, config: SlackChannelConfig, options: ChannelOptions): NotificationChannel {
  return HttpChannel.create(
    'slack',
    name,
    { request: (message) => slackRequest(config, message), interpret: slackReply },
    options,
  );
}

/** Slack answers errors with a short code such as no_service or invalid_payload: worth showing, and no secret. */
function slackReply(reply: HttpReply, described: string, now: Date) {
  const code = reply.body.trim();
  const detail = /^[a-z][a-z_]{0,63}$/.test(code) && code !== 'ok' ? ` (${code})` : '';
  return classifyReply(reply, described, now, detail);
}
