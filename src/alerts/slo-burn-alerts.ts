import { EVALUATOR_ACTOR } from '../slo/slo-evaluator.js';
import type { Tx } from '../store/index.js';
import type { AlertInbox } from './alert-inbox.js';
import { fingerprintOf } from './fingerprint.js';
import type { ReceivedAlert } from './types.js';

export const SLO_ALERT_NAME = 'SLOErrorBudgetBurn';

/** A burn-rate tier of an SLO moving into or out of firing, as the evaluator reports it. */
export interface BurnTierChange {
  readonly sloId: string;
  readonly sloName: string;
  readonly service: string;
  readonly tier: string;
  readonly severity: string;
  readonly to: 'firing' | 'resolved';
  readonly factor: number;
  readonly longWindow: string;
  readonly longBurnRate: number | undefined;
}

/**
 * Puts the SLO evaluator's firing and resolved tiers into the inbox inside the evaluator's transaction, so that a
 * recorded transition and its alert commit together.
 */
export async function putSloBurnAlerts(
  inbox: AlertInbox,
  tx: Tx,
  changes: ReadonlyArray<BurnTierChange>,
  now: Date,
): Promise<void> {
  const alerts: ReceivedAlert[] = [];
  for (const change of changes) {
    const labels = {
      alertname: SLO_ALERT_NAME,
      service: change.service,
      slo: change.sloId,
      slo_tier: change.tier,
      severity: change.severity,
    };
    const fingerprint = fingerprintOf(labels);
    const burn = change.longBurnRate === undefined ? 'unknown' : `${change.longBurnRate.toFixed(1)}×`;
    const annotations = {
      summary: `${change.sloName} on ${change.service} is burning its error budget`,
      description: `Burn rate ${burn} over ${change.longWindow}, against a ${change.tier} threshold of ${change.factor}×.`,
    };
    let startsAt = now.toISOString();
    if (change.to === 'resolved') {
      const recorded = await tx
        .selectFrom('alerts')
        .select('starts_at')
        .where('fingerprint', '=', fingerprint)
        .executeTakeFirst();
      startsAt = recorded?.starts_at ?? startsAt;
    }
    alerts.push({
      fingerprint,
      status: change.to,
      labels,
      annotations,
      startsAt,
      endsAt: change.to === 'resolved' ? now.toISOString() : undefined,
      generatorUrl: undefined,
    });
  }
  if (alerts.length === 0) return;
  await inbox.putIn(tx, EVALUATOR_ACTOR, { source: 'slo', groupKey: undefined, receiver: undefined, alerts });
}
