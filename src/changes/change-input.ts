import { z } from 'zod';
import type { ChangeInput } from './change-service.js';
import { CHANGE_TYPES } from './types.js';

const Time = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as 2026-11-27T10:00:00Z' });
const Text = (max: number) => z.string().trim().min(1).max(max);

/** A change request as people write it, for the HTTP API and the CLI's files alike. */
export const ChangeBody = z.strictObject({
  type: z.enum(CHANGE_TYPES),
  title: Text(200),
  description: Text(10_000),
  reason: Text(2_000),
  services: z.array(z.string().min(1).max(63)).min(1).max(50),
  implementer: Text(200),
  plannedWindow: z.strictObject({ start: Time, end: Time }).optional(),
  securityImpact: Text(2_000),
  testEvidence: Text(4_000),
  rollbackPlan: Text(4_000),
  links: z
    .array(
      z.strictObject({
        kind: z.enum(['ticket', 'pull-request', 'document', 'other']),
        url: z.url({ protocol: /^https?$/ }),
        title: z.string().max(200).optional(),
      }),
    )
    .max(50)
    .default([]),
  template: Text(100).optional(),
});

export function changeInputOf(body: z.output<typeof ChangeBody>): ChangeInput {
  return {
    ...body,
    plannedWindow:
      body.plannedWindow === undefined
        ? undefined
        : { start: new Date(body.plannedWindow.start), end: new Date(body.plannedWindow.end) },
  };
}
