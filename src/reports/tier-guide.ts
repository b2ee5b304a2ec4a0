/**
 * sre-agent's guide to what each service tier calls for: a starting objective, recovery targets, how new versions
 * reach production and how fast a page is answered. These are our own engineering defaults, not regulation; a
 * contribution says so when it leans on them.
 * @module
 */
import type { Tier } from '../catalogue/index.js';
import { DAY, HOUR, MINUTE } from './format.js';

export type DeploymentStrategy = 'canary' | 'blue-green' | 'rolling';

export interface TierGuide {
  /** The availability objective to start from when a service has no SLO. */
  readonly startingObjectivePercent: number;
  readonly rtoMs: number;
  readonly rpoMs: number;
  readonly strategy: DeploymentStrategy;
  /** How soon the on-call engineer acknowledges a page. */
  readonly acknowledgeWithinMs: number;
  /** How often stakeholders hear from the incident while customers are affected. */
  readonly updateEveryMs: number;
}

export const TIER_GUIDE = {
  1: {
    startingObjectivePercent: 99.95,
    rtoMs: HOUR,
    rpoMs: 5 * MINUTE,
    strategy: 'canary',
    acknowledgeWithinMs: 5 * MINUTE,
    updateEveryMs: 30 * MINUTE,
  },
  2: {
    startingObjectivePercent: 99.9,
    rtoMs: 4 * HOUR,
    rpoMs: HOUR,
    strategy: 'blue-green',
    acknowledgeWithinMs: 15 * MINUTE,
    updateEveryMs: HOUR,
  },
  3: {
    startingObjectivePercent: 99.5,
    rtoMs: DAY,
    rpoMs: DAY,
    strategy: 'rolling',
    acknowledgeWithinMs: 30 * MINUTE,
    updateEveryMs: 2 * HOUR,
  },
  4: {
    startingObjectivePercent: 99,
    rtoMs: 3 * DAY,
    rpoMs: DAY,
    strategy: 'rolling',
    acknowledgeWithinMs: 4 * HOUR,
    updateEveryMs: 4 * HOUR,
  },
} as const satisfies Record<Tier, TierGuide>;

/** The canary ladder for tier 1: the share of traffic at each step. */
export const CANARY_STEPS = [0.01, 0.05, 0.25, 0.5, 1] as const;

/** The shortest a canary step is held: two full windows of the fastest page tier's short window (5 minutes). */
export const CANARY_STEP_HOLD_MS = 10 * MINUTE;

/** Share of a rolling update's instances replaced at a time. */
export const ROLLING_BATCH = 0.25;
