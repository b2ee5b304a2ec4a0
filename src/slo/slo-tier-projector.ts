import type { JsonValue, LedgerEvent, Projector } from '../ledger/index.js';
import type { Tx } from '../store/index.js';
import type { TierState } from './slo-evaluation.js';

/** Ledger event type for each state a tier moves into. */
export const TIER_EVENT_TYPES = {
  pending: 'slo.burn_alert.pending',
  firing: 'slo.burn_alert.fired',
  resolved: 'slo.burn_alert.resolved',
  inactive: 'slo.burn_alert.cancelled',
} as const satisfies Readonly<Record<TierState, string>>;

export const BUDGET_SNAPSHOT = 'slo.budget.snapshot';

const STATE_OF_TYPE: ReadonlyMap<string, TierState> = new Map(
  Object.entries(TIER_EVENT_TYPES).map(([state, type]) => [type, state as TierState]),
);

/** Keeps slo_tier_states in step with burn-rate tier transitions. */
export const sloTierProjector: Projector = {
  name: 'slo-tier-states',
  types: Object.values(TIER_EVENT_TYPES),
  tables: [{ name: 'slo_tier_states', key: ['slo_id', 'tier'] }],
  async apply(db: Tx, event: LedgerEvent, _restricted: JsonValue | undefined): Promise<void> {
    const state = STATE_OF_TYPE.get(event.type);
    const data = event.data;
    if (state === undefined || data === null || typeof data !== 'object' || Array.isArray(data)) return;
    const fields = data as { readonly [key: string]: JsonValue };
    const row = {
      slo_id: String(fields.sloId),
      tier: String(fields.tier),
      severity: String(fields.severity),
      state,
      since: event.time,
      event_id: event.id,
    };
    await db
      .insertInto('slo_tier_states')
      .values(row)
      .onConflict((conflict) =>
        conflict
          .columns(['slo_id', 'tier'])
          .doUpdateSet({ state, since: event.time, event_id: event.id, severity: row.severity }),
      )
      .execute();
  },
};
