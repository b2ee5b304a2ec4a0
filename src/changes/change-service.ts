import { authorise } from '../auth/authorise.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { CatalogueIndex } from '../catalogue/index.js';
import { nextOccurrence, occurrenceAt } from '../catalogue/index.js';
import type { Clock } from '../clock/index.js';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../errors/index.js';
import type { Ledger, LedgerTransaction } from '../ledger/index.js';
import type { ChangeRow, Db } from '../store/index.js';
import { approvalState, requiredApprovals, retrospectiveDeadline, segregationOfDuties } from './approval-policy.js';
import {
  changeEvent,
  contentHashOf,
  type StoredChangeContent,
  storedContentOf,
  CHANGE_EVENT_TYPES as T,
} from './change-events.js';
import { assessChangeRisk, type NearbyFreeze } from './change-risk.js';
import type {
  ApprovalRecord,
  ApprovalRequirement,
  ChangeContent,
  ChangeStatus,
  ChangeType,
  RiskAssessment,
} from './types.js';

/** The lowest error budget remaining across a service's SLOs, as a fraction; undefined without SLO data. */
export type BudgetOf = (service: string) => Promise<{ readonly remaining: number; readonly sloId: string } | undefined>;

export interface ChangeView {
  readonly id: string;
  readonly number: number;
  readonly status: ChangeStatus;
  readonly content: StoredChangeContent;
  readonly contentHash: string;
  readonly requester: string;
  readonly risk: RiskAssessment | undefined;
  readonly requirement: ApprovalRequirement | undefined;
  readonly approvals: ReadonlyArray<ApprovalRecord & { readonly eventId: string }>;
  /** What the approvals still lack for the current content. */
  readonly missingApprovals: ReadonlyArray<string>;
  readonly approvalsSatisfied: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly submittedAt: string | undefined;
  readonly approvedAt: string | undefined;
  readonly startedAt: string | undefined;
  readonly completedAt: string | undefined;
  readonly reviewedAt: string | undefined;
  /** An emergency change started before approval must be approved by then. */
  readonly retrospectiveDueAt: string | undefined;
  readonly retrospectiveMissedAt: string | undefined;
}

export interface ChangeInput {
  readonly type: ChangeType;
  readonly title: string;
  readonly description: string;
  readonly reason: string;
  readonly services: ReadonlyArray<string>;
  readonly implementer: string;
  readonly plannedWindow?: { readonly start: Date; readonly end: Date } | undefined;
  readonly securityImpact: string;
  readonly testEvidence: string;
  readonly rollbackPlan: string;
  readonly links?: ChangeContent['links'] | undefined;
  readonly template?: string | undefined;
}

export interface ChangePopulationEntry {
  readonly id: string;
  readonly type: ChangeType;
  readonly status: ChangeStatus;
  readonly title: string;
  readonly services: ReadonlyArray<string>;
  readonly requester: string;
  readonly implementer: string;
  readonly risk: string | undefined;
  readonly createdAt: string;
  readonly submittedAt: string | undefined;
  readonly approvedAt: string | undefined;
  readonly startedAt: string | undefined;
  readonly completedAt: string | undefined;
  readonly reviewedAt: string | undefined;
  readonly retrospectiveDueAt: string | undefined;
  readonly retrospectiveMissedAt: string | undefined;
  readonly approvals: ReadonlyArray<{
    readonly approver: string;
    readonly at: string;
    readonly asBoard: boolean;
    readonly current: boolean;
  }>;
  readonly verdicts: ReadonlyArray<{
    readonly at: string;
    readonly decision: string;
    readonly source: string;
    readonly ledgerIndex: string;
  }>;
  readonly ledgerIndexes: ReadonlyArray<string>;
}

export interface ChangeVerdict {
  readonly at: string;
  readonly decision: string;
  readonly source: string;
  readonly actor: string;
  readonly reasons: ReadonlyArray<{ readonly code: string; readonly effect: string; readonly message: string }>;
  readonly ledgerIndex: string;
}

interface EventRow {
  readonly seq: string | number | bigint;
  readonly type: string;
  readonly time: string;
  readonly actor: string;
  readonly leaf: string;
}

interface VerdictLeaf {
  readonly data: { readonly decision: string; readonly source: string; readonly reasons?: ChangeVerdict['reasons'] };
}

function verdictsIn(events: ReadonlyArray<EventRow>): ChangeVerdict[] {
  return events
    .filter((event) => event.type === 'gate.verdict_given')
    .map((event) => {
      const data = (JSON.parse(event.leaf) as VerdictLeaf).data;
      return {
        at: event.time,
        decision: data.decision,
        source: data.source,
        actor: event.actor,
        reasons: data.reasons ?? [],
        ledgerIndex: String(event.seq),
      };
    });
}

export interface ListChangesOptions {
  readonly status?: ChangeStatus | undefined;
  readonly service?: string | undefined;
  readonly limit?: number | undefined;
}

type Budget = { readonly remaining: number; readonly sloId: string };

export interface StandardTemplate {
  readonly name: string;
  readonly description: string;
  readonly services?: ReadonlyArray<string> | undefined;
}

const LOOKBACK_FOR_FAILURE_RATE_MS = 90 * 86_400_000;
const FREEZE_NEAR_MS = 24 * 3_600_000;

/** The person behind an actor: `token:alice` and `local:alice` are both alice. */
export function personOf(actor: string): string {
  return actor.replace(/^(token|local|user):/, '');
}

/** What the HTTP API, the CLI and MCP do with change requests. Every step is a ledger event with its actor. */
export class ChangeService {
  private constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
    private readonly catalogue: () => CatalogueIndex | undefined,
    private readonly budgetOf: BudgetOf,
    private readonly templates: ReadonlyArray<StandardTemplate>,
  ) {}

  static create(deps: {
    readonly db: Db;
    readonly ledger: Ledger;
    readonly clock: Clock;
    readonly catalogue: () => CatalogueIndex | undefined;
    readonly budgetOf: BudgetOf;
    /** The pre-approved templates of standard changes, from the configuration. */
    readonly templates?: ReadonlyArray<StandardTemplate> | undefined;
  }): ChangeService {
    return new ChangeService(deps.db, deps.ledger, deps.clock, deps.catalogue, deps.budgetOf, deps.templates ?? []);
  }

  async create(principal: Principal, input: ChangeInput): Promise<ChangeView> {
    authorise(principal, 'changes:request');
    const content = this.checkedContent(input);
    const id = await this.ledger.transact(async (tx) => {
      const last = await tx.db
        .selectFrom('changes')
        .select((eb) => eb.fn.max('number').as('number'))
        .executeTakeFirst();
      const number = Number(last?.number ?? 0) + 1;
      const changeId = `CHG-${number}`;
      await tx.append(
        changeEvent(T.created, actorOf(principal), subjectOf(changeId), {
          changeId,
          number,
          content,
          contentHash: contentHashOf(content),
        }),
      );
      return changeId;
    });
    return this.get(principal, id);
  }

  /** Replaces the content; approvals given to the earlier content no longer count. */
  async edit(principal: Principal, id: string, input: ChangeInput): Promise<ChangeView> {
    authorise(principal, 'changes:request');
    const content = this.checkedContent(input);
    const budget = await this.lowestBudget(content.services);
    await this.ledger.transact(async (tx) => {
      const row = await this.row(tx.db, id);
      if (!['draft', 'submitted', 'approved'].includes(row.status)) {
        throw new ConflictError(`${id} is ${row.status}: a change can be edited only before it starts`);
      }
      const hash = contentHashOf(content);
      if (hash === row.content_hash) return;
      const approvals = await tx.db
        .selectFrom('change_approvals')
        .select('event_id')
        .where('change_id', '=', id)
        .where('content_hash', '=', row.content_hash)
        .execute();
      await tx.append(
        changeEvent(T.edited, actorOf(principal), subjectOf(id), {
          changeId: id,
          content,
          contentHash: hash,
          approvalsVoided: approvals.length,
        }),
      );
      // Risk and the approvals it needs follow the content.
      if (row.status !== 'draft') await this.appendSubmitted(tx, principal, id, content, budget);
    });
    return this.get(principal, id);
  }

  /** Computes the risk, factor by factor, and the approvals it needs. */
  async submit(principal: Principal, id: string): Promise<ChangeView> {
    authorise(principal, 'changes:request');
    const budget = await this.lowestBudget(contentOf(await this.row(this.db, id)).services);
    await this.ledger.transact(async (tx) => {
      const row = await this.row(tx.db, id);
      if (row.status !== 'draft') throw new ConflictError(`${id} is ${row.status}: only a draft can be submitted`);
      await this.appendSubmitted(tx, principal, id, contentOf(row), budget);
    });
    return this.get(principal, id);
  }

  async approve(
    principal: Principal,
    id: string,
    input: { readonly comment?: string | undefined; readonly asBoard?: boolean | undefined } = {},
  ): Promise<ChangeView> {
    authorise(principal, 'changes:approve');
    const actor = actorOf(principal);
    const refusal = await this.ledger.transact(async (tx) => {
      const row = await this.row(tx.db, id);
      const content = contentOf(row);
      const refused = segregationOfDuties(
        { requester: personOf(row.requester), implementer: personOf(content.implementer) },
        personOf(actor),
      );
      if (refused !== undefined) {
        // The refused attempt is evidence too: it is recorded before the caller hears no.
        await tx.append(changeEvent(T.approvalRefused, actor, subjectOf(id), { changeId: id, reason: refused }));
        return refused;
      }
      const emergencyUnderway =
        row.type === 'emergency' && ['implementing', 'implemented', 'failed', 'rolled-back'].includes(row.status);
      if (row.status !== 'submitted' && !(emergencyUnderway && row.approved_at === null)) {
        throw new ConflictError(
          `${id} is ${row.status}: only a submitted change (or an emergency change awaiting retrospective approval) can be approved`,
        );
      }
      const approvals = await this.approvalsOf(tx.db, id);
      if (
        approvals.some(
          (approval) => approval.contentHash === row.content_hash && personOf(approval.approver) === personOf(actor),
        )
      ) {
        throw new ConflictError(`${personOf(actor)} has already approved this version of ${id}`);
      }
      const teams = this.teamsOf(personOf(actor));
      const record: ApprovalRecord = {
        approver: personOf(actor),
        teams,
        asBoard: input.asBoard === true,
        at: this.clock.now().toISOString(),
        contentHash: row.content_hash,
        comment: input.comment,
      };
      const requirement = requirementOf(row);
      const state = approvalState(
        requirement,
        [...approvals, record],
        row.content_hash,
        this.owningTeams(contentOf(row)),
      );
      await tx.append(
        changeEvent(T.approvalRecorded, actor, subjectOf(id), {
          changeId: id,
          teams: [...teams],
          asBoard: record.asBoard,
          contentHash: row.content_hash,
          comment: input.comment ?? null,
          satisfied: state.satisfied,
        }),
      );
      return undefined;
    });
    if (refusal !== undefined) throw new NotAllowedError(refusal);
    return this.get(principal, id);
  }

  async reject(principal: Principal, id: string, reason: string): Promise<ChangeView> {
    authorise(principal, 'changes:approve');
    const actor = actorOf(principal);
    await this.ledger.transact(async (tx) => {
      const row = await this.row(tx.db, id);
      if (row.status !== 'submitted' && row.status !== 'approved') {
        throw new ConflictError(`${id} is ${row.status}: only a submitted or approved change can be rejected`);
      }
      await tx.append(changeEvent(T.rejected, actor, subjectOf(id), { changeId: id, reason }));
    });
    return this.get(principal, id);
  }

  /** Implementation begins: an approved change, or an emergency change before approval (approved afterwards). */
  async start(principal: Principal, id: string): Promise<ChangeView> {
    authorise(principal, 'changes:request');
    const budget = await this.lowestBudget(contentOf(await this.row(this.db, id)).services);
    await this.ledger.transact(async (tx) => {
      const row = await this.row(tx.db, id);
      const now = this.clock.now().toISOString();
      let retrospectiveDueAt: string | null = null;
      if (row.status === 'approved') {
        // Approved: nothing owed afterwards.
      } else if (row.type === 'emergency' && (row.status === 'draft' || row.status === 'submitted')) {
        if (row.status === 'draft') await this.appendSubmitted(tx, principal, id, contentOf(row), budget);
        retrospectiveDueAt = retrospectiveDeadline(now);
      } else {
        throw new ConflictError(
          `${id} is ${row.status}: only an approved change, or an emergency change, can start (${row.type} change)`,
        );
      }
      await tx.append(changeEvent(T.started, actorOf(principal), subjectOf(id), { changeId: id, retrospectiveDueAt }));
    });
    return this.get(principal, id);
  }

  async complete(
    principal: Principal,
    id: string,
    input: { readonly outcome: 'implemented' | 'failed' | 'rolled-back'; readonly notes?: string | undefined },
  ): Promise<ChangeView> {
    authorise(principal, 'changes:request');
    await this.ledger.transact(async (tx) => {
      const row = await this.row(tx.db, id);
      if (row.status !== 'implementing')
        throw new ConflictError(`${id} is ${row.status}: only a change being implemented can complete`);
      await tx.append(
        changeEvent(T.completed, actorOf(principal), subjectOf(id), {
          changeId: id,
          outcome: input.outcome,
          notes: input.notes ?? null,
        }),
      );
    });
    return this.get(principal, id);
  }

  async review(principal: Principal, id: string, notes: string): Promise<ChangeView> {
    authorise(principal, 'changes:request');
    await this.ledger.transact(async (tx) => {
      const row = await this.row(tx.db, id);
      if (!['implemented', 'failed', 'rolled-back'].includes(row.status)) {
        throw new ConflictError(
          `${id} is ${row.status}: a change is reviewed after it is implemented, failed or rolled back`,
        );
      }
      await tx.append(changeEvent(T.reviewed, actorOf(principal), subjectOf(id), { changeId: id, notes }));
    });
    return this.get(principal, id);
  }

  /** Records emergency changes whose retrospective approval is overdue, once each. */
  async recordMissedRetrospectives(): Promise<number> {
    const now = this.clock.now().toISOString();
    return this.ledger.transact(async (tx) => {
      const overdue = await tx.db
        .selectFrom('changes')
        .select(['id', 'retrospective_due_at'])
        .where('retrospective_due_at', '<', now)
        .where('approved_at', 'is', null)
        .where('retrospective_missed_at', 'is', null)
        .execute();
      for (const row of overdue) {
        await tx.append(
          changeEvent(T.retrospectiveMissed, 'system:change-policy', subjectOf(row.id), {
            changeId: row.id,
            dueAt: row.retrospective_due_at ?? now,
          }),
        );
      }
      return overdue.length;
    });
  }

  async list(principal: Principal, options: ListChangesOptions = {}): Promise<ChangeView[]> {
    authorise(principal, 'changes:read');
    let query = this.db.selectFrom('changes').selectAll();
    if (options.status !== undefined) query = query.where('status', '=', options.status);
    if (options.service !== undefined) {
      const service = options.service;
      query = query.where('id', 'in', (eb) =>
        eb.selectFrom('change_services').select('change_id').where('service', '=', service),
      );
    }
    const rows = await query
      .orderBy('number', 'desc')
      .limit(options.limit ?? 200)
      .execute();
    return Promise.all(rows.map(async (row) => this.viewOf(this.db, row)));
  }

  async get(principal: Principal, id: string): Promise<ChangeView> {
    authorise(principal, 'changes:read');
    return this.viewOf(this.db, await this.row(this.db, id));
  }

  /** A change as the gate needs it, without a principal: the gate authorises its own caller. */
  async viewForGate(id: string): Promise<ChangeView> {
    return this.viewOf(this.db, await this.row(this.db, id));
  }

  /**
   * The change population of a period for auditors: every change raised in [from, to) with its approvals, gate
   * verdicts and the ledger indexes of every event about it, so each fact can be proved.
   */
  async population(principal: Principal, from: Date, to: Date): Promise<ChangePopulationEntry[]> {
    authorise(principal, 'changes:read');
    const rows = await this.db
      .selectFrom('changes')
      .selectAll()
      .where('created_at', '>=', from.toISOString())
      .where('created_at', '<', to.toISOString())
      .orderBy('number')
      .execute();
    const entries: ChangePopulationEntry[] = [];
    for (const row of rows) {
      const view = await this.viewOf(this.db, row);
      const events = await this.eventsAbout(row.id);
      const verdicts = verdictsIn(events).map(({ at, decision, source, ledgerIndex }) => ({
        at,
        decision,
        source,
        ledgerIndex,
      }));
      entries.push({
        id: view.id,
        type: view.content.type,
        status: view.status,
        title: view.content.title,
        services: view.content.services,
        requester: view.requester,
        implementer: view.content.implementer,
        risk: view.risk?.level,
        createdAt: view.createdAt,
        submittedAt: view.submittedAt,
        approvedAt: view.approvedAt,
        startedAt: view.startedAt,
        completedAt: view.completedAt,
        reviewedAt: view.reviewedAt,
        retrospectiveDueAt: view.retrospectiveDueAt,
        retrospectiveMissedAt: view.retrospectiveMissedAt,
        approvals: view.approvals.map((approval) => ({
          approver: approval.approver,
          at: approval.at,
          asBoard: approval.asBoard,
          current: approval.contentHash === view.contentHash,
        })),
        verdicts,
        ledgerIndexes: events.map((event) => String(event.seq)),
      });
    }
    return entries;
  }

  /** Every gate verdict given on the change, oldest first, with its reasons and its place in the ledger. */
  async verdicts(principal: Principal, id: string): Promise<ChangeVerdict[]> {
    authorise(principal, 'changes:read');
    await this.row(this.db, id);
    return verdictsIn(await this.eventsAbout(id));
  }

  private async eventsAbout(id: string): Promise<EventRow[]> {
    return this.db
      .selectFrom('ledger_entries')
      .select(['seq', 'type', 'time', 'actor', 'leaf'])
      .where('subject', '=', subjectOf(id))
      .orderBy('seq')
      .execute();
  }

  /** `budget` is read before the transaction: SLO budgets come from telemetry, which must not wait on the ledger lock. */
  private async appendSubmitted(
    tx: LedgerTransaction,
    principal: Principal,
    id: string,
    content: StoredChangeContent,
    budget: Budget | undefined,
  ) {
    const risk = await this.riskOf(tx.db, content, budget);
    const requirement = requiredApprovals(content.type, risk.level, budget?.remaining);
    await tx.append(
      changeEvent(T.submitted, actorOf(principal), subjectOf(id), {
        changeId: id,
        risk: { level: risk.level, score: risk.score, factors: risk.factors.map((factor) => ({ ...factor })) },
        requirement: { ...requirement },
        preApproved:
          content.type === 'standard' &&
          requirement.approvals === 0 &&
          !requirement.board &&
          !requirement.fromOwningTeam,
      }),
    );
  }

  private async riskOf(db: Db, content: StoredChangeContent, budget: Budget | undefined): Promise<RiskAssessment> {
    const catalogue = this.catalogue();
    const services = content.services.flatMap((name) => {
      const service = catalogue?.service(name);
      if (service === undefined) return [];
      const dependants = (catalogue?.listServices() ?? [])
        .filter((other) => other.name !== name && catalogue?.transitiveDependencies(other.name).includes(name))
        .map((other) => other.name);
      return [
        {
          name,
          tier: service.tier,
          importantBusinessServices: service.importantBusinessServices,
          regulatoryScope: service.regulatoryScope.map(String),
          dependants,
        },
      ];
    });
    return assessChangeRisk({
      type: content.type,
      template: content.template ?? undefined,
      services,
      changeFailureRate: await this.changeFailureRate(db, content.services),
      errorBudgetRemaining: budget?.remaining,
      plannedWindow: content.plannedWindow ?? undefined,
      timeZone: catalogue?.catalogue.organisation.timeZone ?? 'Europe/London',
      freezeWindows: this.freezesNear(content),
    });
  }

  private async lowestBudget(services: ReadonlyArray<string>): Promise<Budget | undefined> {
    let lowest: Budget | undefined;
    for (const service of services) {
      const budget = await this.budgetOf(service);
      if (budget !== undefined && (lowest === undefined || budget.remaining < lowest.remaining)) lowest = budget;
    }
    return lowest;
  }

  /** The worst share of failed or rolled-back deployments over 90 days among the services; undefined without any. */
  private async changeFailureRate(db: Db, services: ReadonlyArray<string>): Promise<number | undefined> {
    if (services.length === 0) return undefined;
    const since = new Date(this.clock.now().getTime() - LOOKBACK_FOR_FAILURE_RATE_MS).toISOString();
    const rows = await db
      .selectFrom('deployments')
      .select(['service', 'outcome'])
      .where('service', 'in', [...services])
      .where('deployed_at', '>=', since)
      .execute();
    let worst: number | undefined;
    for (const service of services) {
      const mine = rows.filter((row) => row.service === service);
      if (mine.length === 0) continue;
      const rate = mine.filter((row) => row.outcome !== 'succeeded').length / mine.length;
      worst = worst === undefined ? rate : Math.max(worst, rate);
    }
    return worst;
  }

  /** Freeze occurrences covering the changed services that overlap the planned window or fall within a day of it. */
  private freezesNear(content: StoredChangeContent): NearbyFreeze[] {
    const catalogue = this.catalogue();
    const window = content.plannedWindow;
    if (catalogue === undefined || window === null) return [];
    const start = new Date(Date.parse(window.start) - FREEZE_NEAR_MS);
    const end = Date.parse(window.end) + FREEZE_NEAR_MS;
    const near: NearbyFreeze[] = [];
    for (const freeze of catalogue.catalogue.freezeWindows) {
      const covers = content.services.some((name) => {
        const service = catalogue.service(name);
        if (service === undefined) return false;
        const scope = freeze.scope;
        return (
          scope.kind === 'all' ||
          (scope.kind === 'tiers' ? scope.tiers.includes(service.tier) : scope.services.includes(name))
        );
      });
      if (!covers) continue;
      const occurrence = occurrenceAt(freeze, start) ?? nextOccurrence(freeze, start);
      if (occurrence !== undefined && occurrence.start.getTime() <= end) {
        near.push({ name: freeze.name, start: occurrence.start.toISOString(), end: occurrence.end.toISOString() });
      }
    }
    return near;
  }

  private teamsOf(person: string): string[] {
    return (this.catalogue()?.listTeams() ?? [])
      .filter((team) => team.members.some((member) => member.toLowerCase() === person.toLowerCase()))
      .map((team) => team.name);
  }

  private owningTeams(content: StoredChangeContent): string[] {
    const catalogue = this.catalogue();
    return [...new Set(content.services.flatMap((name) => catalogue?.service(name)?.team ?? []))];
  }

  private checkedContent(input: ChangeInput): StoredChangeContent {
    const problems: { path: string; message: string }[] = [];
    const catalogue = this.catalogue();
    const services = [...new Set(input.services)];
    services.forEach((name, index) => {
      if (catalogue?.service(name) === undefined) {
        problems.push({ path: `services[${index}]`, message: `no service "${name}" in the catalogue` });
      }
    });
    if (input.plannedWindow !== undefined && input.plannedWindow.end <= input.plannedWindow.start) {
      problems.push({ path: 'plannedWindow.end', message: 'must be after the start' });
    }
    if (input.type === 'standard') {
      const template = this.templates.find((candidate) => candidate.name === input.template);
      if (template === undefined) {
        const known = this.templates.map((candidate) => candidate.name).join(', ') || 'none are configured';
        problems.push({
          path: 'template',
          message: `a standard change follows a pre-approved template (changes.standardTemplates): ${known}`,
        });
      } else if (template.services !== undefined) {
        const outside = services.filter((name) => !template.services?.includes(name));
        if (outside.length > 0) {
          problems.push({
            path: 'services',
            message: `template ${template.name} is pre-approved only for ${template.services.join(', ')}, not ${outside.join(', ')}`,
          });
        }
      }
    }
    if (input.type !== 'emergency' && input.plannedWindow === undefined) {
      problems.push({ path: 'plannedWindow', message: `a ${input.type} change needs a planned window` });
    }
    if (problems.length > 0) throw new InputError('the change request is not complete', { details: problems });
    return storedContentOf({
      type: input.type,
      title: input.title,
      description: input.description,
      reason: input.reason,
      services,
      implementer: input.implementer,
      plannedWindow:
        input.plannedWindow === undefined
          ? undefined
          : { start: input.plannedWindow.start.toISOString(), end: input.plannedWindow.end.toISOString() },
      securityImpact: input.securityImpact,
      testEvidence: input.testEvidence,
      rollbackPlan: input.rollbackPlan,
      links: input.links ?? [],
      template: input.template,
    });
  }

  private async row(db: Db, id: string): Promise<ChangeRow> {
    const row = await db.selectFrom('changes').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw new NotFoundError(`no change ${id}`);
    return row;
  }

  private async approvalsOf(db: Db, id: string): Promise<Array<ApprovalRecord & { readonly eventId: string }>> {
    const rows = await db
      .selectFrom('change_approvals')
      .selectAll()
      .where('change_id', '=', id)
      .orderBy('at')
      .orderBy('event_id')
      .execute();
    return rows.map((row) => ({
      eventId: row.event_id,
      approver: row.approver,
      teams: JSON.parse(row.teams) as string[],
      asBoard: row.as_board === 1,
      at: row.at,
      contentHash: row.content_hash,
      comment: row.comment ?? undefined,
    }));
  }

  private async viewOf(db: Db, row: ChangeRow): Promise<ChangeView> {
    const content = contentOf(row);
    const approvals = await this.approvalsOf(db, row.id);
    const requirement = row.requirement === null ? undefined : requirementOf(row);
    const state =
      requirement === undefined
        ? undefined
        : approvalState(requirement, approvals, row.content_hash, this.owningTeams(content));
    return {
      id: row.id,
      number: row.number,
      status: row.status as ChangeStatus,
      content,
      contentHash: row.content_hash,
      requester: row.requester,
      risk: row.risk === null ? undefined : (JSON.parse(row.risk) as RiskAssessment),
      requirement,
      approvals,
      missingApprovals: state?.missing ?? ['the change has not been submitted'],
      approvalsSatisfied: state?.satisfied ?? false,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      submittedAt: row.submitted_at ?? undefined,
      approvedAt: row.approved_at ?? undefined,
      startedAt: row.started_at ?? undefined,
      completedAt: row.completed_at ?? undefined,
      reviewedAt: row.reviewed_at ?? undefined,
      retrospectiveDueAt: row.retrospective_due_at ?? undefined,
      retrospectiveMissedAt: row.retrospective_missed_at ?? undefined,
    };
  }
}

export function subjectOf(changeId: string): string {
  return `change:${changeId}`;
}

function contentOf(row: ChangeRow): StoredChangeContent {
  return JSON.parse(row.content) as StoredChangeContent;
}

function requirementOf(row: ChangeRow): ApprovalRequirement {
  return JSON.parse(row.requirement ?? '{"approvals":1,"fromOwningTeam":false,"board":false}') as ApprovalRequirement;
}
