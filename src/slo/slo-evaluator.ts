import { type Clock, PeriodicTask } from '../clock/index.js';
import type { JsonValue, Ledger, LedgerTransaction } from '../ledger/index.js';
import type { Db } from '../store/index.js';
import type { TelemetrySource, WindowSli } from '../telemetry/telemetry-source.js';
import {
  evaluateSlo,
  type SloStatus,
  type TierMemory,
  type TierState,
  type TierTransition,
  windowsOf,
} from './slo-evaluation.js';
import { BUDGET_SNAPSHOT, TIER_EVENT_TYPES } from './slo-tier-projector.js';
import type { SloDefinition } from './types.js';

export const EVALUATOR_ACTOR = 'system:slo-evaluator';
const HOUR = 3_600_000;

export interface EvaluationTick {
  readonly at: string;
  readonly slos: number;
  readonly transitions: number;
  readonly snapshots: number;
  readonly durationMs: number;
}

export interface SloEvaluatorOptions {
  readonly ledger: Ledger;
  readonly db: Db;
  readonly telemetry: TelemetrySource;
  readonly clock: Clock;
  /** The SLOs in force, read at every tick so a catalogue reload takes effect. */
  readonly slos: () => ReadonlyArray<SloDefinition>;
  /** Called inside the transaction that records a tick's transitions: firing tiers become alerts for the intake. */
  readonly onTransitions?: (
    tx: LedgerTransaction,
    transitions: ReadonlyArray<{ readonly slo: SloDefinition; readonly transition: TierTransition }>,
  ) => Promise<void>;
  readonly onError: (error: unknown) => void;
}

/**
 * Evaluates every SLO on a schedule: SLIs per window from the telemetry source, burn rates, budget and tier states.
 * Tier transitions and an hourly budget snapshot per SLO are ledger events, all of a tick in one transaction.
 */
export class SloEvaluator {
  private readonly statuses = new Map<string, SloStatus>();
  private readonly memory = new Map<string, Map<string, TierMemory>>();
  private readonly lastSnapshotHour = new Map<string, number>();
  private loaded = false;
  private readonly task: PeriodicTask;
  private lastTick: EvaluationTick | undefined;

  private constructor(private readonly options: SloEvaluatorOptions) {
    this.task = PeriodicTask.create(
      () => this.tick(),
      (error) => this.options.onError(error),
    );
  }

  static create(options: SloEvaluatorOptions): SloEvaluator {
    return new SloEvaluator(options);
  }

  start(intervalMs: number): void {
    this.task.start(intervalMs);
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  latest(id: string): SloStatus | undefined {
    return this.statuses.get(id);
  }

  lastEvaluation(): EvaluationTick | undefined {
    return this.lastTick;
  }

  /** Evaluates every SLO once and records what changed. */
  async tick(): Promise<EvaluationTick> {
    const started = Date.now();
    const now = this.options.clock.now();
    await this.loadMemory();
    const slos = this.options.slos();
    const sli = await this.options.telemetry.windows(
      slos.map((slo) => ({ slo, windows: windowsOf(slo, now) })),
      now,
    );
    const changes: { slo: SloDefinition; transition: TierTransition }[] = [];
    const snapshots: SloStatus[] = [];
    const hour = Math.floor(now.getTime() / HOUR);
    const minuteOfHour = Math.floor((now.getTime() % HOUR) / 60_000);
    for (const slo of slos) {
      const previous = this.memory.get(slo.id) ?? new Map<string, TierMemory>();
      const { status, transitions } = evaluateSlo(slo, sli.get(slo.id) ?? new Map<number, WindowSli>(), previous, now);
      this.statuses.set(slo.id, status);
      this.memory.set(
        slo.id,
        new Map(status.tiers.map((tier) => [tier.name, { state: tier.state, since: tier.since }])),
      );
      for (const transition of transitions) changes.push({ slo, transition });
      if (this.lastSnapshotHour.get(slo.id) !== hour && minuteOfHour >= snapshotMinute(slo.id)) snapshots.push(status);
    }
    if (changes.length > 0 || snapshots.length > 0) {
      await this.options.ledger.transact(async (tx) => {
        for (const { slo, transition } of changes) {
          await tx.append({
            actor: EVALUATOR_ACTOR,
            type: TIER_EVENT_TYPES[transition.to],
            subject: `slo:${slo.id}`,
            data: transitionData(slo, transition),
          });
        }
        if (changes.length > 0) await this.options.onTransitions?.(tx, changes);
        for (const status of snapshots) {
          await tx.append({
            actor: EVALUATOR_ACTOR,
            type: BUDGET_SNAPSHOT,
            subject: `slo:${status.id}`,
            data: snapshotData(status),
          });
        }
      });
      for (const status of snapshots) this.lastSnapshotHour.set(status.id, hour);
    }
    this.lastTick = {
      at: now.toISOString(),
      slos: slos.length,
      transitions: changes.length,
      snapshots: snapshots.length,
      durationMs: Date.now() - started,
    };
    return this.lastTick;
  }

  /** Tier states survive restarts: the first tick starts from the projected states. */
  private async loadMemory(): Promise<void> {
    if (this.loaded) return;
    const rows = await this.options.db.selectFrom('slo_tier_states').selectAll().execute();
    for (const row of rows) {
      const tiers = this.memory.get(row.slo_id) ?? new Map<string, TierMemory>();
      tiers.set(row.tier, { state: row.state as TierState, since: row.since });
      this.memory.set(row.slo_id, tiers);
    }
    this.loaded = true;
  }
}

/**
 * The minute of each hour an SLO's budget snapshot falls due: spread by its id, so ten thousand SLOs write about 170
 * snapshots a minute rather than all of them in the first tick of the hour.
 */
export function snapshotMinute(id: string): number {
  let hash = 0;
  for (let index = 0; index < id.length; index += 1) hash = (hash * 31 + id.charCodeAt(index)) >>> 0;
  return hash % 60;
}

function transitionData(slo: SloDefinition, transition: TierTransition): JsonValue {
  const status = transition.status;
  return {
    sloId: slo.id,
    service: slo.service,
    tier: transition.tier.name,
    severity: transition.tier.severity,
    from: transition.from,
    to: transition.to,
    factor: transition.tier.factor,
    shortWindow: status.shortWindow,
    longWindow: status.longWindow,
    shortBurnRate: finite(status.shortBurnRate),
    longBurnRate: finite(status.longBurnRate),
    objectivePercent: slo.objectivePercent,
  };
}

function snapshotData(status: SloStatus): JsonValue {
  return {
    sloId: status.id,
    service: status.service,
    periodStart: status.periodStart,
    sli: finite(status.sli),
    budgetRemaining: finite(status.budgetRemaining),
    budgetRemainingMinutes: finite(status.budgetRemainingMinutes),
    burnRates: Object.fromEntries(Object.entries(status.burnRates).map(([window, rate]) => [window, finite(rate)])),
    tiers: Object.fromEntries(status.tiers.map((tier) => [tier.name, tier.state])),
  };
}

function finite(value: number | undefined): number | null {
  return value === undefined || !Number.isFinite(value) ? null : value;
}
