import { authorise } from '../auth/authorise.js';
import type { Principal } from '../auth/principal.js';
import type { Clock } from '../clock/index.js';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../errors/index.js';
import type { TelemetrySource, WindowSli } from '../telemetry/telemetry-source.js';
import { evaluateSlo, periodStart, type SloStatus, windowsOf } from './slo-evaluation.js';
import type { SloEvaluator } from './slo-evaluator.js';
import type { SloDefinition } from './types.js';

/** Accepts per-minute good/total points for an SLO: the embedded SLI store. */
export interface SliPointSink {
  ingest(
    sloId: string,
    points: ReadonlyArray<{ readonly time: Date; readonly good: number; readonly total: number }>,
  ): Promise<{ readonly accepted: number; readonly minutes: number }>;
}

export interface SloView {
  readonly definition: {
    readonly id: string;
    readonly service: string;
    readonly name: string;
    readonly description: string | undefined;
    readonly objectivePercent: number;
    readonly period: SloDefinition['period'];
    readonly budgeting: SloDefinition['budgeting'];
    readonly sli: SloDefinition['sli']['kind'];
    readonly source: SloDefinition['source'];
  };
  readonly status: SloStatus;
}

export interface HistoryPoint {
  readonly time: string;
  /** Error ratio over the step ending at `time`. */
  readonly errorRatio: number | null;
  readonly burnRate: number | null;
  /** Budget left at `time`, over the period ending then. */
  readonly budgetRemaining: number | null;
}

export const MAX_HISTORY_POINTS = 1_000;
/** An integration token scoped to this may push SLI points and nothing else. */
export const TELEMETRY_SCOPE = 'telemetry';

/** What the HTTP API, the CLI and MCP do with SLOs. */
export class SloService {
  private constructor(
    private readonly slos: () => ReadonlyArray<SloDefinition>,
    private readonly evaluator: SloEvaluator,
    private readonly telemetry: TelemetrySource,
    private readonly points: SliPointSink | undefined,
    private readonly clock: Clock,
  ) {}

  static create(deps: {
    readonly slos: () => ReadonlyArray<SloDefinition>;
    readonly evaluator: SloEvaluator;
    readonly telemetry: TelemetrySource;
    readonly points: SliPointSink | undefined;
    readonly clock: Clock;
  }): SloService {
    return new SloService(deps.slos, deps.evaluator, deps.telemetry, deps.points, deps.clock);
  }

  async list(principal: Principal, filter: { readonly service?: string | undefined } = {}): Promise<SloView[]> {
    authorise(principal, 'slo:read');
    const slos = this.slos().filter((slo) => filter.service === undefined || slo.service === filter.service);
    return Promise.all(slos.map(async (slo) => this.viewOf(slo)));
  }

  async get(principal: Principal, id: string): Promise<SloView> {
    authorise(principal, 'slo:read');
    return this.viewOf(this.find(id));
  }

  /** The SLI, burn rate and budget at each step between two times, from the telemetry source. */
  async history(principal: Principal, id: string, from: Date, to: Date, stepMs: number): Promise<HistoryPoint[]> {
    authorise(principal, 'slo:read');
    const slo = this.find(id);
    if (to.getTime() <= from.getTime()) {
      throw new InputError('to must be after from', { details: [{ path: 'to', message: 'must be after from' }] });
    }
    if (stepMs < 60_000) {
      throw new InputError('step must be at least 1m', { details: [{ path: 'step', message: 'must be at least 1m' }] });
    }
    const count = Math.floor((to.getTime() - from.getTime()) / stepMs) + 1;
    if (count > MAX_HISTORY_POINTS) {
      throw new InputError(`at most ${MAX_HISTORY_POINTS} points: widen the step or narrow the range`, {
        details: [{ path: 'step', message: `gives ${count} points, more than ${MAX_HISTORY_POINTS}` }],
      });
    }
    const points: HistoryPoint[] = [];
    for (let index = 0; index < count; index += 1) {
      const at = new Date(from.getTime() + index * stepMs);
      const period = at.getTime() - periodStart(slo, at).getTime();
      const windows = await this.telemetry.windows([{ slo, windows: [stepMs, period] }], at);
      const sli = windows.get(slo.id) ?? new Map<number, WindowSli>();
      const { status } = evaluateSlo(slo, sli, new Map(), at);
      const stepRatio = sli.get(stepMs)?.errorRatio;
      points.push({
        time: at.toISOString(),
        errorRatio: stepRatio ?? null,
        burnRate: stepRatio === undefined ? null : stepRatio / status.errorBudget,
        budgetRemaining: status.budgetRemaining ?? null,
      });
    }
    return points;
  }

  /**
   * How much of each of a service's SLO error budgets the interval used: bad events in it over the budget of the
   * period ending at `to`. Without event counts (a ratio-only source), time stands in for traffic.
   */
  async budgetConsumed(
    service: string,
    from: Date,
    to: Date,
  ): Promise<Array<{ readonly sloId: string; readonly budgetConsumedPercent: number }>> {
    const interval = Math.max(60_000, to.getTime() - from.getTime());
    const consumed: Array<{ readonly sloId: string; readonly budgetConsumedPercent: number }> = [];
    for (const slo of this.slos().filter((candidate) => candidate.service === service)) {
      const period = Math.max(interval, to.getTime() - periodStart(slo, to).getTime());
      const windows = (await this.telemetry.windows([{ slo, windows: [interval, period] }], to)).get(slo.id);
      const during = windows?.get(interval);
      const overPeriod = windows?.get(period);
      const budget = (100 - slo.objectivePercent) / 100;
      if (during?.errorRatio === undefined || budget <= 0) continue;
      const fraction =
        during.events !== undefined && overPeriod?.events !== undefined && overPeriod.events > 0
          ? (during.errorRatio * during.events) / (budget * overPeriod.events)
          : (during.errorRatio * interval) / (budget * period);
      consumed.push({ sloId: slo.id, budgetConsumedPercent: Math.round(fraction * 1000) / 10 });
    }
    return consumed;
  }

  /** Takes SLI points for one SLO into the embedded store; an integration token needs the telemetry scope. */
  async ingest(
    principal: Principal,
    id: string,
    points: ReadonlyArray<{ readonly time: Date; readonly good: number; readonly total: number }>,
  ): Promise<{ accepted: number; minutes: number }> {
    if (principal.kind === 'token' && principal.role === 'integration') {
      if (principal.scope !== TELEMETRY_SCOPE) {
        throw new NotAllowedError(
          `this integration token is scoped to ${principal.scope ?? 'nothing'}, not ${TELEMETRY_SCOPE}`,
        );
      }
    } else {
      authorise(principal, 'slo:ingest');
    }
    const slo = this.find(id);
    if (this.points === undefined) {
      throw new ConflictError('this server reads SLIs from Prometheus; push points only to the embedded store');
    }
    return this.points.ingest(slo.id, points);
  }

  private async viewOf(slo: SloDefinition): Promise<SloView> {
    const status = this.evaluator.latest(slo.id) ?? (await this.preview(slo));
    return {
      definition: {
        id: slo.id,
        service: slo.service,
        name: slo.name,
        description: slo.description,
        objectivePercent: slo.objectivePercent,
        period: slo.period,
        budgeting: slo.budgeting,
        sli: slo.sli.kind,
        source: slo.source,
      },
      status,
    };
  }

  /** Before the evaluator's first tick: the status now, with every tier taken as inactive and nothing recorded. */
  private async preview(slo: SloDefinition): Promise<SloStatus> {
    const now = this.clock.now();
    const windows = await this.telemetry.windows([{ slo, windows: windowsOf(slo, now) }], now);
    return evaluateSlo(slo, windows.get(slo.id) ?? new Map(), new Map(), now).status;
  }

  private find(id: string): SloDefinition {
    const slo = this.slos().find((candidate) => candidate.id === id);
    if (slo === undefined) throw new NotFoundError(`no SLO with id "${id}" in the catalogue`);
    return slo;
  }
}
