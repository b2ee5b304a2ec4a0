import { z } from 'zod';
import { NOTIFICATION_KINDS, NOTIFICATION_SEVERITIES, type OutboundNotification, PAGER_DUTY_ACTIONS } from './types.js';

/** A notification as queued and as read back from the outbox; the limits keep every channel's payload small. */
export const OutboundNotificationSchema = z.strictObject({
  kind: z.enum(NOTIFICATION_KINDS),
  incidentId: z.string().min(1).max(200),
  title: z.string().min(1).max(500),
  severity: z.enum(NOTIFICATION_SEVERITIES),
  team: z.string().min(1).max(200).optional(),
  services: z.array(z.string().min(1).max(200)).max(100),
  summary: z.string().min(1).max(10_000),
  details: z.array(z.strictObject({ label: z.string().min(1).max(200), value: z.string().max(2_000) })).max(50),
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  occurredAt: z.iso.datetime(),
  pagerDuty: z.strictObject({ action: z.enum(PAGER_DUTY_ACTIONS), dedupKey: z.string().min(1).max(255) }),
});

/** The notification in a stored row, or undefined when the text is not one (written by another version, say). */
export function parseStoredNotification(text: string): OutboundNotification | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = OutboundNotificationSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
