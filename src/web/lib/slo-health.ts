import type { Slo } from '../api-types.js';
import type { Tone } from './tone.js';

export interface SloHealth {
  readonly tone: Tone;
  readonly label: string;
  /** The lowest budget remaining across the SLOs, or undefined without data. */
  readonly budgetRemaining: number | undefined;
}

/** One SLO's state in words: exhausted, paging, ticketing, low budget, healthy or no data. */
export function sloHealth(slo: Slo): SloHealth {
  const status = slo.status;
  const remaining = status?.budgetRemaining ?? undefined;
  if (status === undefined || status.sli === null || remaining === undefined) {
    return { tone: 'neutral', label: 'No data', budgetRemaining: undefined };
  }
  const firing = status.tiers.filter((tier) => tier.state === 'firing');
  if (remaining <= 0) return { tone: 'bad', label: 'Budget exhausted', budgetRemaining: remaining };
  if (firing.some((tier) => tier.severity === 'page'))
    return { tone: 'bad', label: 'Burning: paging', budgetRemaining: remaining };
  if (firing.length > 0) return { tone: 'warn', label: 'Burning: ticket', budgetRemaining: remaining };
  if (remaining < 0.25) return { tone: 'warn', label: 'Budget low', budgetRemaining: remaining };
  return { tone: 'good', label: 'Within objective', budgetRemaining: remaining };
}

const RANK: Record<Tone, number> = { bad: 4, warn: 3, info: 2, good: 1, neutral: 0 };

/** A service's state is its worst SLO's; its budget is its lowest. */
export function serviceHealth(slos: ReadonlyArray<Slo>): SloHealth {
  if (slos.length === 0) return { tone: 'neutral', label: 'No SLO', budgetRemaining: undefined };
  const each = slos.map(sloHealth);
  const worst = each.reduce((a, b) => (RANK[b.tone] > RANK[a.tone] ? b : a));
  const budgets = each.flatMap((health) => (health.budgetRemaining === undefined ? [] : [health.budgetRemaining]));
  return { ...worst, budgetRemaining: budgets.length === 0 ? undefined : Math.min(...budgets) };
}
