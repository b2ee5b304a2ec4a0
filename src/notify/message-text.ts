import type { NotificationKind, OutboundNotification } from './types.js';

const KIND_LABELS = {
  'incident.declared': 'Incident declared',
  'incident.acknowledged': 'Incident acknowledged',
  'incident.updated': 'Incident updated',
  'incident.severity_changed': 'Incident severity changed',
  'incident.resolved': 'Incident resolved',
  'incident.closed': 'Incident closed',
  'clock.reminder': 'Reporting deadline approaching',
  'clock.overdue': 'Reporting deadline missed',
} as const satisfies Readonly<Record<NotificationKind, string>>;

export function kindLabel(kind: NotificationKind): string {
  return KIND_LABELS[kind];
}

/** `[SEV1] Incident declared: Card payments failing`: the one line every channel leads with. */
export function headline(message: OutboundNotification): string {
  return `[${message.severity}] ${kindLabel(message.kind)}: ${message.title}`;
}

/**
 * At most `maxCharacters` characters (Unicode code points, so that no surrogate pair is split), the last one an
 * ellipsis when the text was cut.
 */
export function truncateText(text: string, maxCharacters: number): string {
  // A string of n UTF-16 units has at most n code points.
  if (text.length <= maxCharacters) return text;
  const characters = Array.from(text);
  if (characters.length <= maxCharacters) return text;
  if (maxCharacters <= 0) return '';
  return `${characters.slice(0, maxCharacters - 1).join('')}…`;
}

/** The services as one line, or undefined when there are none. */
export function servicesLine(message: OutboundNotification): string | undefined {
  return message.services.length === 0 ? undefined : message.services.join(', ');
}
