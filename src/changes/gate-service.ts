import { authorise } from '../auth/authorise.js';
import { actorOf, type Principal } from '../auth/principal.js';
import { type CatalogueIndex, freezeAppliesTo, occurrenceAt } from '../catalogue/index.js';
import type { Clock } from '../clock/index.js';
import { NotAllowedError, NotFoundError } from '../errors/index.js';
import type { Severity } from '../incidents/index.js';
import type { Ledger } from '../ledger/index.js';
import type { Db } from '../store/index.js';
import { approvalState, requiredApprovals } from './approval-policy.js';
import { CHANGE_EVENT_TYPES, changeEvent } from './change-events.js';
import type { BudgetOf, ChangeService } from './change-service.js';
import { subjectOf } from './change-service.js';
import { decideGate, type GateChange } from './gate-decision.js';
import type { GateVerdict } from './types.js';

/** An integration token scoped to this may ask the gate and record deployments, and nothing else. */
export const GATE_SCOPE = 'gate';

export interface GateCheck {
  readonly service: string;
  readonly change?: string | undefined;
  /** Who asks: `api`, `cli`, `argo-rollouts`, `flagger:<hook>`, `github`. */
  readonly source: string;
}

export interface RecordedVerdict extends GateVerdict {
  readonly service: string;
  readonly change: string | undefined;
  readonly at: string;
  /** The verdict's place in the ledger, for auditors. */
  readonly ledgerIndex: string;
}

const OPEN_STATUSES = ['investigating', 'identified', 'monitoring'];

/** One decision, `allow`, `deny` or `hold`, with reasons, for a service and optionally a change; each is an event. */
export class GateService {
  private constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
    private readonly catalogue: () => CatalogueIndex | undefined,
    private readonly changes: ChangeService,
    private readonly budgetOf: BudgetOf,
  ) {}

  static create(deps: {
    readonly db: Db;
    readonly ledger: Ledger;
    readonly clock: Clock;
    readonly catalogue: () => CatalogueIndex | undefined;
    readonly changes: ChangeService;
    readonly budgetOf: BudgetOf;
  }): GateService {
    return new GateService(deps.db, deps.ledger, deps.clock, deps.catalogue, deps.changes, deps.budgetOf);
  }

  async check(principal: Principal, request: GateCheck): Promise<RecordedVerdict> {
    authoriseGate(principal);
    const verdict = await this.decide(request);
    const event = await this.ledger.append(
      changeEvent(
        CHANGE_EVENT_TYPES.gateVerdict,
        actorOf(principal),
        request.change === undefined ? `service:${request.service}` : subjectOf(request.change),
        {
          service: request.service,
          changeId: request.change ?? null,
          decision: verdict.decision,
          reasons: verdict.reasons.map((reason) => ({ ...reason })),
          source: request.source,
        },
      ),
    );
    return {
      ...verdict,
      service: request.service,
      change: request.change,
      at: event.time,
      ledgerIndex: event.seq.toString(),
    };
  }

  /** The verdict without recording it, for callers that record it themselves. */
  async decide(request: GateCheck): Promise<GateVerdict> {
    const catalogue = this.catalogue();
    const service = catalogue?.service(request.service);
    if (service === undefined) throw new NotFoundError(`no service "${request.service}" in the catalogue`);
    const now = this.clock.now();
    const budget = await this.budgetOf(service.name);
    let change: GateChange | undefined;
    if (request.change !== undefined) {
      const view = await this.changes.viewForGate(request.change);
      if (!view.content.services.includes(service.name)) {
        throw new NotFoundError(
          `${view.id} does not change ${service.name}; it changes ${view.content.services.join(', ')}`,
        );
      }
      // Approvals are judged against the budget now: a budget that fell since approval asks for one more.
      const requirement =
        view.risk === undefined ? undefined : requiredApprovals(view.content.type, view.risk.level, budget?.remaining);
      const owning = [...new Set(view.content.services.flatMap((name) => catalogue?.service(name)?.team ?? []))];
      const state =
        requirement === undefined
          ? { satisfied: false, missing: ['the change has not been submitted'] }
          : approvalState(requirement, view.approvals, view.contentHash, owning);
      change = {
        id: view.id,
        type: view.content.type,
        status: view.status,
        approvals: { satisfied: state.satisfied, missing: state.missing },
        plannedWindow: view.content.plannedWindow ?? undefined,
        retrospectiveApprovalDue: view.approvedAt === undefined ? view.retrospectiveDueAt : undefined,
      };
    }
    const freezes = (catalogue?.catalogue.freezeWindows ?? []).flatMap((window) => {
      if (!freezeAppliesTo(window, service)) return [];
      const occurrence = occurrenceAt(window, now);
      return occurrence === undefined
        ? []
        : [{ name: window.name, reason: window.reason, end: occurrence.end.toISOString() }];
    });
    const incidents = await this.db
      .selectFrom('incidents as i')
      .innerJoin('incident_services as s', 's.incident_id', 'i.id')
      .select(['i.id', 'i.severity'])
      .where('s.service', '=', service.name)
      .where('i.status', 'in', OPEN_STATUSES)
      .execute();
    return decideGate({
      at: now.toISOString(),
      timeZone: catalogue?.catalogue.organisation.timeZone ?? 'Europe/London',
      service: { name: service.name, tier: service.tier },
      change,
      freezes,
      budget: budget === undefined ? undefined : { remaining: budget.remaining, slo: budget.sloId },
      incidents: incidents.map((row) => ({ id: row.id, severity: row.severity as Severity })),
    });
  }
}

/** The gate is asked by people with any reading role, and by integration tokens scoped to it. */
export function authoriseGate(principal: Principal): void {
  if (principal.kind === 'token' && principal.role === 'integration') {
    if (principal.scope !== GATE_SCOPE) {
      throw new NotAllowedError(
        `this integration token is scoped to ${principal.scope ?? 'nothing'}, not ${GATE_SCOPE}`,
      );
    }
    return;
  }
  authorise(principal, 'gate:check');
}
