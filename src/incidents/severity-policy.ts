/**
 * Which alerts declare an incident and how severe it is: a service's tier against the alert's impact, as data.
 * @module
 */
import type { Severity } from './types.js';

export type AlertImpact = 'critical' | 'warning' | 'info';

export interface SeverityPolicy {
  /** Values of the alert's `severity` label and the impact each means; anything else is `warning`. */
  readonly impactOfLabel: Readonly<Record<string, AlertImpact>>;
  /** Tier (1 most critical) × impact → severity; `none` records the alert without declaring an incident. */
  readonly matrix: Readonly<Record<1 | 2 | 3 | 4, Readonly<Record<AlertImpact, Severity | 'none'>>>>;
  /** A service that supports an important business service is one step more severe. */
  readonly raiseForImportantBusinessService: boolean;
}

export const DEFAULT_SEVERITY_POLICY = {
  impactOfLabel: {
    critical: 'critical',
    page: 'critical',
    p1: 'critical',
    error: 'warning',
    warning: 'warning',
    ticket: 'warning',
    p2: 'warning',
    info: 'info',
    none: 'info',
  },
  matrix: {
    1: { critical: 'SEV2', warning: 'SEV3', info: 'none' },
    2: { critical: 'SEV2', warning: 'SEV3', info: 'none' },
    3: { critical: 'SEV3', warning: 'SEV4', info: 'none' },
    4: { critical: 'SEV4', warning: 'none', info: 'none' },
  },
  raiseForImportantBusinessService: true,
} as const satisfies SeverityPolicy;

const RAISED: Readonly<Record<Severity, Severity>> = { SEV1: 'SEV1', SEV2: 'SEV1', SEV3: 'SEV2', SEV4: 'SEV3' };

export function impactOf(policy: SeverityPolicy, severityLabel: string | undefined): AlertImpact {
  if (severityLabel === undefined) return 'warning';
  return policy.impactOfLabel[severityLabel.toLowerCase()] ?? 'warning';
}

/** The severity an alert on a service of this tier calls for, or `none`. */
export function severityFor(
  policy: SeverityPolicy,
  input: {
    readonly tier: 1 | 2 | 3 | 4;
    readonly impact: AlertImpact;
    readonly supportsImportantBusinessService: boolean;
  },
): Severity | 'none' {
  const base = policy.matrix[input.tier][input.impact];
  if (base === 'none') return 'none';
  return policy.raiseForImportantBusinessService && input.supportsImportantBusinessService ? RAISED[base] : base;
}
