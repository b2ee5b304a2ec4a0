import type { NotificationRoute } from './notify-config.js';
import type { OutboundNotification } from './types.js';

/**
 * The channels a notification goes to: those of every route whose filters all match, each named once, in the order
 * the configuration first names them.
 */
export function routeNotification(
  config: { readonly routes: ReadonlyArray<NotificationRoute> },
  message: OutboundNotification,
): ReadonlyArray<string> {
  const channels = new Set<string>();
  for (const route of config.routes) {
    if (!matches(route, message)) continue;
    for (const channel of route.channels) channels.add(channel);
  }
  return [...channels];
}

function matches(route: NotificationRoute, message: OutboundNotification): boolean {
  if (route.team !== undefined && route.team !== message.team) return false;
  if (route.severities !== undefined && !route.severities.includes(message.severity)) return false;
  if (route.kinds !== undefined && !route.kinds.includes(message.kind)) return false;
  return true;
}
