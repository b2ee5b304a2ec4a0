import { authorise } from '../auth/authorise.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { CatalogueIndex } from '../catalogue/index.js';
import type { Clock } from '../clock/index.js';
import { ConflictError, InputError, NotFoundError } from '../errors/index.js';
import { type EventJson, eventJsonOf, type Ledger, type LedgerTransaction, parseLeaf } from '../ledger/index.js';
import type { Db } from '../store/index.js';
import {
  assessRecurring,
  classifyDoraIncident,
  type DoraClassification,
  type DoraClassificationInput,
  type RecurringGroup,
} from './dora-classification.js';
import { type DoraReportEntity, draftDoraReport } from './dora-report.js';
import { incidentEvent, INCIDENT_EVENT_TYPES as T } from './incident-events.js';
import { declareIncident } from './incident-writer.js';
import { draftPostIncidentReview, type ReviewSloBudget } from './post-incident-review.js';
import {
  type ClockInput,
  computeClocks,
  type Clock as RegulatoryClock,
  type ReportingEntity,
} from './regulatory-clocks.js';
import { REGULATORY_POLICIES, type ReportingRegime } from './regulatory-policies.js';
import { type SeverityPolicy, severityFor } from './severity-policy.js';
import {
  type IncidentRole,
  type IncidentStatus,
  type IncidentTimestamp,
  moreSevere,
  type SetTime,
  type Severity,
} from './types.js';

export interface IncidentServiceView {
  readonly name: string;
  readonly degradedAt: string | undefined;
  readonly degradedBy: string | undefined;
  readonly restoredAt: string | undefined;
  readonly restoredBy: string | undefined;
}

export interface IncidentLinkView {
  readonly kind: string;
  readonly target: string;
  readonly relation: string;
  readonly linkedAt: string;
}

export interface SubmittedReportView {
  readonly regime: string;
  readonly report: string;
  readonly submittedAt: string;
  readonly submittedBy: string;
  readonly reference: string | undefined;
}

export interface RegimeFlags {
  readonly doraMajor: boolean;
  readonly gdprPersonalDataBreach: boolean;
  readonly nis2Significant: boolean;
  readonly ukOperationalIncident: boolean;
}

export interface ClassificationView {
  readonly classifiedAt: string;
  readonly by: string;
  readonly regimes: RegimeFlags;
  readonly dora: unknown;
  readonly rootCause: string | undefined;
}

export interface IncidentView {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly status: IncidentStatus;
  readonly severity: Severity;
  readonly origin: 'alert' | 'manual';
  readonly summary: string | undefined;
  readonly correlationKey: string | undefined;
  readonly declaredAt: string;
  readonly declaredBy: string;
  readonly updatedAt: string;
  readonly timestamps: Partial<Record<IncidentTimestamp, SetTime>>;
  readonly roles: Partial<
    Record<IncidentRole, { readonly assignee: string; readonly by: string; readonly at: string }>
  >;
  readonly services: ReadonlyArray<IncidentServiceView>;
  readonly importantBusinessServices: ReadonlyArray<string>;
  readonly links: ReadonlyArray<IncidentLinkView>;
  /** Alerts that joined the incident, by their latest state. */
  readonly alerts: { readonly firing: number; readonly resolved: number };
  readonly classification: ClassificationView | undefined;
  readonly reports: ReadonlyArray<SubmittedReportView>;
}

export interface IncidentSummary {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly status: IncidentStatus;
  readonly severity: Severity;
  readonly origin: string;
  readonly services: ReadonlyArray<string>;
  readonly declaredAt: string;
  readonly updatedAt: string;
  readonly acknowledged: boolean;
}

export interface DeclareIncidentInput {
  readonly title: string;
  readonly services: ReadonlyArray<string>;
  readonly severity?: Severity | undefined;
  readonly occurredAt?: Date | undefined;
  readonly awareAt?: Date | undefined;
  readonly summary?: string | undefined;
}

export interface ClassifyIncidentInput {
  readonly classifiedAt?: Date | undefined;
  /** A regime left out is decided from the DORA assessment (doraMajor) or taken as not applying. */
  readonly regimes: { readonly [Regime in keyof RegimeFlags]?: boolean | undefined };
  /** The Delegated Regulation 2024/1772 inputs; the assessment is computed from them and recorded beside them. */
  readonly dora?: DoraClassificationInput | undefined;
  /** The apparent root cause: incidents sharing it within 6 months are assessed together (Art 8(2)). */
  readonly rootCause?: string | undefined;
}

/** What a classification records about DORA: the inputs, the assessment, and any recurring group it completes. */
export interface DoraRecord {
  readonly input: DoraClassificationInput;
  readonly assessment: DoraClassification;
  readonly recurring: RecurringGroup | undefined;
}

export interface ListIncidentsOptions {
  readonly status?: IncidentStatus | 'open' | undefined;
  readonly service?: string | undefined;
  readonly limit?: number | undefined;
}

export const INCIDENT_REPORT_KINDS = ['review', 'dora-initial', 'dora-intermediate', 'dora-final'] as const;
export type IncidentReportKind = (typeof INCIDENT_REPORT_KINDS)[number];

export interface IncidentReport {
  readonly kind: IncidentReportKind;
  readonly incidentId: string;
  readonly markdown: string;
  /** The DORA draft's fields by their keys; absent for a review. */
  readonly fields: unknown;
  /** Mandatory DORA fields with no value yet. */
  readonly missing: ReadonlyArray<string>;
}

/** SLO error budget each affected service's SLOs used between two times. */
export type SloBudgetConsumed = (service: string, from: Date, to: Date) => Promise<ReadonlyArray<ReviewSloBudget>>;

/** Timestamps a person records directly; the others follow from commands (acknowledge, classify, resolve, close). */
export const RECORDABLE_TIMESTAMPS = ['occurred', 'firstEvidence', 'aware', 'mitigated', 'rootCauseAddressed'] as const;
export type RecordableTimestamp = (typeof RECORDABLE_TIMESTAMPS)[number];

/** Times in the future are refused, allowing for this much clock skew between the caller and the server. */
const FUTURE_SKEW_MS = 5 * 60_000;
const OPEN_STATUSES: ReadonlyArray<IncidentStatus> = ['investigating', 'identified', 'monitoring'];

/** What the HTTP API, the CLI and MCP do with incidents. Every change is a ledger event with its actor. */
export class IncidentService {
  private constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
    private readonly catalogue: () => CatalogueIndex | undefined,
    private readonly severityPolicy: SeverityPolicy,
    private readonly entityOverrides: Partial<ReportingEntity>,
    private readonly budgetConsumed: SloBudgetConsumed | undefined,
    private readonly timeZone: string,
  ) {}

  static create(deps: {
    readonly db: Db;
    readonly ledger: Ledger;
    readonly clock: Clock;
    readonly catalogue: () => CatalogueIndex | undefined;
    readonly severityPolicy: SeverityPolicy;
    /** Entity facts the catalogue does not hold (central counterparty, relief withdrawn). */
    readonly entity?: Partial<ReportingEntity> | undefined;
    readonly budgetConsumed?: SloBudgetConsumed | undefined;
    /** Where reports show local times; Europe/London by default. */
    readonly timeZone?: string | undefined;
  }): IncidentService {
    return new IncidentService(
      deps.db,
      deps.ledger,
      deps.clock,
      deps.catalogue,
      deps.severityPolicy,
      deps.entity ?? {},
      deps.budgetConsumed,
      deps.timeZone ?? 'Europe/London',
    );
  }

  async list(principal: Principal, options: ListIncidentsOptions = {}): Promise<IncidentSummary[]> {
    authorise(principal, 'incidents:read');
    let query = this.db.selectFrom('incidents').selectAll();
    if (options.status === 'open') query = query.where('status', 'in', [...OPEN_STATUSES]);
    else if (options.status !== undefined) query = query.where('status', '=', options.status);
    if (options.service !== undefined) {
      const service = options.service;
      query = query.where('id', 'in', (eb) =>
        eb.selectFrom('incident_services').select('incident_id').where('service', '=', service),
      );
    }
    const rows = await query
      .orderBy('number', 'desc')
      .limit(options.limit ?? 200)
      .execute();
    const services = await this.servicesOf(rows.map((row) => row.id));
    return rows.map((row) => ({
      id: row.id,
      number: row.number,
      title: row.title,
      status: row.status as IncidentStatus,
      severity: row.severity as Severity,
      origin: row.origin,
      services: (services.get(row.id) ?? []).map((service) => service.name),
      declaredAt: row.declared_at,
      updatedAt: row.updated_at,
      acknowledged: 'acknowledged' in (JSON.parse(row.timestamps) as object),
    }));
  }

  async get(principal: Principal, id: string): Promise<IncidentView> {
    authorise(principal, 'incidents:read');
    return this.view(id);
  }

  async declare(principal: Principal, input: DeclareIncidentInput): Promise<IncidentView> {
    authorise(principal, 'incidents:respond');
    const catalogue = this.catalogue();
    const problems: { path: string; message: string }[] = [];
    const services = [...new Set(input.services)];
    const known = services.map((name, index) => {
      const service = catalogue?.service(name);
      if (service === undefined)
        problems.push({ path: `services[${index}]`, message: `no service "${name}" in the catalogue` });
      return service;
    });
    const now = this.clock.now();
    this.checkTime(problems, 'occurredAt', input.occurredAt, now);
    this.checkTime(problems, 'awareAt', input.awareAt, now);
    if (input.occurredAt !== undefined && input.awareAt !== undefined && input.awareAt < input.occurredAt) {
      problems.push({ path: 'awareAt', message: 'cannot be before occurredAt' });
    }
    if (problems.length > 0) throw new InputError('the incident cannot be declared as given', { details: problems });
    const severity =
      input.severity ??
      known.reduce<Severity>((worst, service) => {
        if (service === undefined) return worst;
        const called = severityFor(this.severityPolicy, {
          tier: service.tier,
          impact: 'critical',
          supportsImportantBusinessService: service.importantBusinessServices.length > 0,
        });
        return called === 'none' ? worst : moreSevere(worst, called);
      }, 'SEV4');
    const keys = known.flatMap((service) =>
      service === undefined
        ? []
        : [
            service.importantBusinessServices[0] === undefined
              ? `service:${service.name}`
              : `ibs:${service.importantBusinessServices[0]}`,
          ],
    );
    const id = await this.ledger.transact((tx) =>
      declareIncident(tx, {
        actor: actorOf(principal),
        title: input.title,
        severity,
        origin: 'manual',
        services,
        correlationKeys: [...new Set(keys)],
        occurredAt: input.occurredAt?.toISOString(),
        firstEvidenceAt: undefined,
        awareAt: (input.awareAt ?? now).toISOString(),
        summary: input.summary,
      }),
    );
    return this.view(id);
  }

  async acknowledge(principal: Principal, id: string): Promise<IncidentView> {
    return this.change(principal, id, async (tx, incident) => {
      const acknowledged = incident.timestamps.acknowledged;
      if (acknowledged !== undefined) {
        throw new ConflictError(`${id} was already acknowledged by ${acknowledged.by} at ${acknowledged.at}`);
      }
      await tx.append(
        incidentEvent(T.acknowledged, actorOf(principal), { incidentId: id, at: this.clock.now().toISOString() }),
      );
    });
  }

  async update(
    principal: Principal,
    id: string,
    input: {
      readonly status?: IncidentStatus | undefined;
      readonly message: string;
      readonly severity?: Severity | undefined;
    },
  ): Promise<IncidentView> {
    return this.change(principal, id, async (tx, incident) => {
      const status = input.status ?? incident.status;
      if (status === 'resolved' || status === 'closed') {
        throw new InputError(
          `use the ${status === 'resolved' ? 'resolve' : 'close'} action to make an incident ${status}`,
          {
            details: [{ path: 'status', message: 'must be investigating, identified or monitoring' }],
          },
        );
      }
      if (input.severity !== undefined && input.severity !== incident.severity) {
        await tx.append(
          incidentEvent(T.severityChanged, actorOf(principal), {
            incidentId: id,
            from: incident.severity,
            to: input.severity,
            reason: input.message,
          }),
        );
      }
      await tx.append(
        incidentEvent(T.updated, actorOf(principal), {
          incidentId: id,
          status,
          previousStatus: incident.status,
          message: input.message,
        }),
      );
    });
  }

  async assign(principal: Principal, id: string, role: IncidentRole, assignee: string): Promise<IncidentView> {
    return this.change(principal, id, async (tx) => {
      await tx.append(incidentEvent(T.roleAssigned, actorOf(principal), { incidentId: id, role, assignee }));
    });
  }

  async recordTimestamp(
    principal: Principal,
    id: string,
    timestamp: RecordableTimestamp,
    at: Date,
  ): Promise<IncidentView> {
    this.refuseFuture('at', at);
    return this.change(principal, id, async (tx) => {
      await tx.append(
        incidentEvent(T.timestampRecorded, actorOf(principal), { incidentId: id, timestamp, at: at.toISOString() }),
      );
    });
  }

  /** Records when a service was degraded from or restored at; adds the service to the incident if it is new. */
  async recordService(
    principal: Principal,
    id: string,
    input: { readonly service: string; readonly degradedAt?: Date | undefined; readonly restoredAt?: Date | undefined },
  ): Promise<IncidentView> {
    if (this.catalogue()?.service(input.service) === undefined) {
      throw new InputError(`no service "${input.service}" in the catalogue`, {
        details: [{ path: 'service', message: 'must be a catalogue service' }],
      });
    }
    this.refuseFuture('degradedAt', input.degradedAt);
    this.refuseFuture('restoredAt', input.restoredAt);
    if (input.degradedAt !== undefined && input.restoredAt !== undefined && input.restoredAt < input.degradedAt) {
      throw new InputError('restoredAt cannot be before degradedAt', {
        details: [{ path: 'restoredAt', message: 'cannot be before degradedAt' }],
      });
    }
    return this.change(principal, id, async (tx) => {
      await tx.append(
        incidentEvent(T.serviceRecorded, actorOf(principal), {
          incidentId: id,
          service: input.service,
          degradedAt: input.degradedAt?.toISOString() ?? null,
          restoredAt: input.restoredAt?.toISOString() ?? null,
        }),
      );
    });
  }

  /** The seam for changes and deployments: another area links what it believes relates to the incident. */
  async link(
    principal: Principal,
    id: string,
    input: {
      readonly kind: 'slo' | 'change' | 'deployment' | 'incident';
      readonly target: string;
      readonly relation: string;
    },
  ): Promise<IncidentView> {
    return this.change(
      principal,
      id,
      async (tx) => {
        await tx.append(incidentEvent(T.linked, actorOf(principal), { incidentId: id, ...input }));
      },
      { allowClosed: true },
    );
  }

  async classify(principal: Principal, id: string, input: ClassifyIncidentInput): Promise<IncidentView> {
    const classifiedAt = input.classifiedAt ?? this.clock.now();
    this.refuseFuture('classifiedAt', classifiedAt);
    return this.change(
      principal,
      id,
      async (tx, incident) => {
        const dora =
          input.dora === undefined
            ? undefined
            : await this.doraRecord(tx, incident, input.dora, input.rootCause, classifiedAt);
        await tx.append(
          incidentEvent(T.classified, actorOf(principal), {
            incidentId: id,
            classifiedAt: classifiedAt.toISOString(),
            regimes: {
              doraMajor: input.regimes.doraMajor ?? dora?.assessment.major ?? false,
              gdprPersonalDataBreach: input.regimes.gdprPersonalDataBreach ?? false,
              nis2Significant: input.regimes.nis2Significant ?? false,
              ukOperationalIncident: input.regimes.ukOperationalIncident ?? false,
            },
            dora: dora === undefined ? null : JSON.parse(JSON.stringify(dora)),
            rootCause: input.rootCause ?? null,
          }),
        );
      },
      { allowClosed: true },
    );
  }

  /** Assesses the inputs, and with a root cause, the non-major incidents sharing it over the past six months. */
  private async doraRecord(
    tx: LedgerTransaction,
    incident: IncidentView,
    dora: DoraClassificationInput,
    rootCause: string | undefined,
    at: Date,
  ): Promise<DoraRecord> {
    const assessment = classifyDoraIncident(dora);
    if (rootCause === undefined || assessment.major) return { input: dora, assessment, recurring: undefined };
    const rows = await tx.db
      .selectFrom('incidents')
      .select(['id', 'declared_at', 'timestamps', 'classification'])
      .where('id', '!=', incident.id)
      .where('classification', 'is not', null)
      .execute();
    const earlier = rows.flatMap((row) => {
      const recorded = JSON.parse(row.classification ?? 'null') as {
        rootCause: string | null;
        dora: { input: DoraClassificationInput } | null;
      } | null;
      if (recorded?.rootCause !== rootCause || recorded.dora === null) return [];
      const occurred = (JSON.parse(row.timestamps) as IncidentView['timestamps']).occurred?.at ?? row.declared_at;
      return [{ id: row.id, rootCause, occurredAt: occurred, input: recorded.dora.input }];
    });
    const current = {
      id: incident.id,
      rootCause,
      occurredAt: incident.timestamps.occurred?.at ?? incident.timestamps.aware?.at ?? incident.declaredAt,
      input: dora,
    };
    const recurring = assessRecurring([...earlier, current], at).groups.find((group) =>
      group.incidentIds.includes(incident.id),
    );
    return { input: dora, assessment, recurring };
  }

  /** Records a report as submitted to its authority; the clocks anchored on it move on. */
  async recordReport(
    principal: Principal,
    id: string,
    input: {
      readonly regime: ReportingRegime;
      readonly report: string;
      readonly submittedAt?: Date | undefined;
      readonly reference?: string | undefined;
    },
  ): Promise<IncidentView> {
    const regime = REGULATORY_POLICIES.reporting.find((policy) => policy.regime === input.regime);
    const reports: ReadonlyArray<string> = regime?.reports.map((report) => report.report) ?? [];
    if (!reports.includes(input.report)) {
      throw new InputError(`${input.regime} has no report called "${input.report}"`, {
        details: [{ path: 'report', message: `must be one of ${reports.join(', ')}` }],
      });
    }
    const submittedAt = input.submittedAt ?? this.clock.now();
    this.refuseFuture('submittedAt', submittedAt);
    return this.change(
      principal,
      id,
      async (tx) => {
        await tx.append(
          incidentEvent(T.reportSubmitted, actorOf(principal), {
            incidentId: id,
            regime: input.regime,
            report: input.report,
            submittedAt: submittedAt.toISOString(),
            reference: input.reference ?? null,
          }),
        );
      },
      { allowClosed: true },
    );
  }

  async resolve(
    principal: Principal,
    id: string,
    input: { readonly at?: Date | undefined; readonly message?: string | undefined } = {},
  ): Promise<IncidentView> {
    const at = input.at ?? this.clock.now();
    this.refuseFuture('at', at);
    return this.change(principal, id, async (tx, incident) => {
      if (incident.status === 'resolved') throw new ConflictError(`${id} is already resolved`);
      await tx.append(
        incidentEvent(T.resolved, actorOf(principal), {
          incidentId: id,
          at: at.toISOString(),
          message: input.message ?? null,
        }),
      );
    });
  }

  async close(
    principal: Principal,
    id: string,
    input: { readonly message?: string | undefined } = {},
  ): Promise<IncidentView> {
    return this.change(principal, id, async (tx, incident) => {
      if (incident.status !== 'resolved') {
        throw new ConflictError(`${id} is ${incident.status}: resolve it before closing it`);
      }
      await tx.append(incidentEvent(T.closed, actorOf(principal), { incidentId: id, message: input.message ?? null }));
    });
  }

  /** Every event about the incident and its alerts, oldest first. */
  async timeline(principal: Principal, id: string): Promise<EventJson[]> {
    authorise(principal, 'incidents:read');
    await this.row(this.db, id);
    const alerts = await this.db.selectFrom('alerts').select('fingerprint').where('incident_id', '=', id).execute();
    const subjects = [`incident:${id}`, ...alerts.map((alert) => `alert:${alert.fingerprint}`)];
    const events: EventJson[] = [];
    for (let start = 0; start < subjects.length; start += 500) {
      const rows = await this.db
        .selectFrom('ledger_entries')
        .select(['seq', 'leaf'])
        .where('subject', 'in', subjects.slice(start, start + 500))
        .execute();
      for (const row of rows) {
        const parsed = parseLeaf(row.leaf, { canonical: false });
        if (parsed.ok) events.push(eventJsonOf(parsed.event));
      }
    }
    return events.sort((a, b) => Number(BigInt(a.seq) - BigInt(b.seq)));
  }

  /** A draft for people to finish: the post-incident review, or a DORA report following 2025/302's numbering. */
  async report(principal: Principal, id: string, kind: IncidentReportKind): Promise<IncidentReport> {
    authorise(principal, 'incidents:read');
    const incident = await this.view(id);
    const restored = incident.services.flatMap((service) =>
      service.restoredAt === undefined ? [] : [Date.parse(service.restoredAt)],
    );
    const allRestored = incident.services.length > 0 && restored.length === incident.services.length;
    if (kind === 'review') {
      const timeline = await this.timeline(principal, id);
      const start = incident.timestamps.occurred?.at ?? incident.timestamps.aware?.at ?? incident.declaredAt;
      const end = incident.timestamps.resolved?.at ?? this.clock.now().toISOString();
      const budgets: ReviewSloBudget[] = [];
      for (const service of incident.services) {
        budgets.push(...((await this.budgetConsumed?.(service.name, new Date(start), new Date(end))) ?? []));
      }
      const draft = draftPostIncidentReview({
        incidentId: incident.id,
        title: incident.title,
        severity: incident.severity,
        summary: incident.summary,
        services: incident.services.map((service) => service.name),
        importantBusinessServices: incident.importantBusinessServices,
        times: {
          occurred: incident.timestamps.occurred?.at,
          firstEvidence: incident.timestamps.firstEvidence?.at,
          aware: incident.timestamps.aware?.at,
          acknowledged: incident.timestamps.acknowledged?.at,
          mitigated:
            incident.timestamps.mitigated?.at ??
            (restored.length === 0 ? undefined : new Date(Math.min(...restored)).toISOString()),
          resolved: incident.timestamps.resolved?.at,
        },
        timeline: timeline.map((event) => ({
          time: event.time,
          actor: event.actor,
          type: event.type,
          summary: describeEvent(event.type, event.data),
        })),
        sloBudgets: budgets,
        changes: incident.links
          .filter((link) => link.kind === 'change' || link.kind === 'deployment')
          .map((link) => ({ id: link.target, title: `${link.kind} ${link.target}`, relation: link.relation })),
        actions: [],
        timeZone: this.timeZone,
      });
      return { kind, incidentId: id, markdown: draft.markdown, fields: undefined, missing: [] };
    }
    const dora = incident.classification?.dora as DoraRecord | undefined;
    if (dora === undefined) {
      throw new ConflictError(`${id} has no DORA classification inputs: classify it with them first`);
    }
    const organisation = this.catalogue()?.catalogue.organisation;
    const entity: DoraReportEntity = {
      name: organisation?.name ?? 'not recorded',
      lei: organisation?.lei,
      type: organisation?.entity.creditInstitution
        ? 'credit institution'
        : organisation?.entity.paymentServiceProvider
          ? 'payment institution'
          : undefined,
      contacts: [],
    };
    const stage = kind === 'dora-initial' ? 'initial' : kind === 'dora-intermediate' ? 'intermediate' : 'final';
    const draft = draftDoraReport(stage, {
      entity,
      incidentReference: incident.id,
      authorityReference: incident.reports.find((report) => report.regime === 'dora' && report.reference)?.reference,
      detectedAt: incident.timestamps.aware?.at,
      classifiedAt: incident.classification?.classifiedAt,
      occurredAt: incident.timestamps.occurred?.at,
      recoveredAt: allRestored ? new Date(Math.max(...restored)).toISOString() : undefined,
      resolvedAt: incident.timestamps.resolved?.at,
      rootCauseAddressedAt: incident.timestamps.rootCauseAddressed?.at,
      description: incident.summary ?? incident.title,
      classification: dora.assessment,
      classificationInput: dora.input,
      services: incident.services.map((service) => service.name),
      importantBusinessServices: incident.importantBusinessServices,
      rootCause:
        incident.classification?.rootCause === undefined ? undefined : { detail: incident.classification.rootCause },
      recurring: dora.recurring !== undefined,
    });
    return { kind, incidentId: id, markdown: draft.markdown, fields: JSON.parse(draft.json), missing: draft.missing };
  }

  /** The regulatory reporting clocks at `at` (now by default). */
  async clocks(
    principal: Principal,
    id: string,
    at?: Date,
  ): Promise<{ readonly at: string; readonly clocks: RegulatoryClock[] }> {
    authorise(principal, 'incidents:read');
    const incident = await this.view(id);
    const now = at ?? this.clock.now();
    return { at: now.toISOString(), clocks: computeClocks(this.clockInputOf(incident), now) };
  }

  clockInputOf(incident: IncidentView): ClockInput {
    return clockInputFor(this.catalogue(), incident, this.entityOverrides);
  }

  private async change(
    principal: Principal,
    id: string,
    work: (tx: LedgerTransaction, incident: IncidentView) => Promise<void>,
    options: { readonly allowClosed?: boolean } = {},
  ): Promise<IncidentView> {
    authorise(principal, 'incidents:respond');
    await this.ledger.transact(async (tx) => {
      const incident = await this.viewIn(tx.db, id);
      if (incident.status === 'closed' && options.allowClosed !== true) {
        throw new ConflictError(`${id} is closed; a closed incident changes only by classification, reports and links`);
      }
      await work(tx, incident);
    });
    return this.view(id);
  }

  private async view(id: string): Promise<IncidentView> {
    return this.viewIn(this.db, id);
  }

  private async row(db: Db, id: string) {
    const row = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw new NotFoundError(`no incident ${id}`);
    return row;
  }

  private async viewIn(db: Db, id: string): Promise<IncidentView> {
    const row = await this.row(db, id);
    const services = (await this.servicesOfIn(db, [id])).get(id) ?? [];
    const links = await db
      .selectFrom('incident_links')
      .selectAll()
      .where('incident_id', '=', id)
      .orderBy('linked_at')
      .execute();
    const reports = await db
      .selectFrom('incident_reports')
      .selectAll()
      .where('incident_id', '=', id)
      .orderBy('submitted_at')
      .execute();
    const alertStates = await db
      .selectFrom('alerts')
      .select(['status', (eb) => eb.fn.countAll().as('count')])
      .where('incident_id', '=', id)
      .groupBy('status')
      .execute();
    const alertCount = (status: string) => Number(alertStates.find((row) => row.status === status)?.count ?? 0);
    const catalogue = this.catalogue();
    const ibs = new Set(
      services.flatMap((service) => catalogue?.service(service.name)?.importantBusinessServices ?? []),
    );
    const classification =
      row.classification === null
        ? undefined
        : (JSON.parse(row.classification) as {
            classifiedAt: string;
            by: string;
            regimes: RegimeFlags;
            dora: unknown;
            rootCause: string | null;
          });
    return {
      id: row.id,
      number: row.number,
      title: row.title,
      status: row.status as IncidentStatus,
      severity: row.severity as Severity,
      origin: row.origin === 'alert' ? 'alert' : 'manual',
      summary: row.summary ?? undefined,
      correlationKey: row.correlation_key ?? undefined,
      declaredAt: row.declared_at,
      declaredBy: row.declared_by,
      updatedAt: row.updated_at,
      timestamps: JSON.parse(row.timestamps) as IncidentView['timestamps'],
      roles: JSON.parse(row.roles) as IncidentView['roles'],
      services,
      importantBusinessServices: [...ibs].sort(),
      links: links.map((link) => ({
        kind: link.kind,
        target: link.target,
        relation: link.relation,
        linkedAt: link.linked_at,
      })),
      alerts: { firing: alertCount('firing'), resolved: alertCount('resolved') },
      classification:
        classification === undefined
          ? undefined
          : {
              classifiedAt: classification.classifiedAt,
              by: classification.by,
              regimes: classification.regimes,
              dora: classification.dora ?? undefined,
              rootCause: classification.rootCause ?? undefined,
            },
      reports: reports.map((report) => ({
        regime: report.regime,
        report: report.report,
        submittedAt: report.submitted_at,
        submittedBy: report.submitted_by,
        reference: report.reference ?? undefined,
      })),
    };
  }

  private async servicesOf(ids: ReadonlyArray<string>) {
    return this.servicesOfIn(this.db, ids);
  }

  private async servicesOfIn(db: Db, ids: ReadonlyArray<string>): Promise<Map<string, IncidentServiceView[]>> {
    const byIncident = new Map<string, IncidentServiceView[]>();
    if (ids.length === 0) return byIncident;
    const rows = await db
      .selectFrom('incident_services')
      .selectAll()
      .where('incident_id', 'in', [...ids])
      .orderBy('service')
      .execute();
    for (const row of rows) {
      const list = byIncident.get(row.incident_id) ?? [];
      list.push({
        name: row.service,
        degradedAt: row.degraded_at ?? undefined,
        degradedBy: row.degraded_by ?? undefined,
        restoredAt: row.restored_at ?? undefined,
        restoredBy: row.restored_by ?? undefined,
      });
      byIncident.set(row.incident_id, list);
    }
    return byIncident;
  }

  private checkTime(problems: { path: string; message: string }[], path: string, at: Date | undefined, now: Date) {
    if (at !== undefined && at.getTime() > now.getTime() + FUTURE_SKEW_MS) {
      problems.push({ path, message: 'cannot be in the future' });
    }
  }

  private refuseFuture(path: string, at: Date | undefined): void {
    const problems: { path: string; message: string }[] = [];
    this.checkTime(problems, path, at, this.clock.now());
    if (problems.length > 0) throw new InputError(`${path} cannot be in the future`, { details: problems });
  }
}

/** One line for a timeline entry, from the event's type and the fields people look for. */
function describeEvent(type: string, data: unknown): string {
  const fields = (data !== null && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const text = (name: string): string => (typeof fields[name] === 'string' ? String(fields[name]) : '');
  switch (type) {
    case 'incident.declared':
      return `Declared ${text('severity')}: ${text('title')}`;
    case 'incident.acknowledged':
      return 'Acknowledged';
    case 'incident.updated':
      return `${text('status')}: ${text('message')}`;
    case 'incident.severity_changed':
      return `Severity ${text('from')} to ${text('to')}: ${text('reason')}`;
    case 'incident.role_assigned':
      return `${text('assignee')} is ${text('role')}`;
    case 'incident.timestamp_recorded':
      return `${text('timestamp')} recorded as ${text('at')}`;
    case 'incident.service_recorded':
      return fields.restoredAt === null
        ? `${text('service')} degraded`
        : `${text('service')} restored at ${text('restoredAt')}`;
    case 'incident.classified':
      return 'Regulatory classification recorded';
    case 'incident.report_submitted':
      return `${text('regime')} ${text('report')} report submitted`;
    case 'incident.resolved':
      return `Resolved${text('message') === '' ? '' : `: ${text('message')}`}`;
    case 'incident.closed':
      return 'Closed';
    case 'incident.linked':
      return `Linked ${text('kind')} ${text('target')} (${text('relation')})`;
    case 'alert.fired': {
      const labels = (fields.labels ?? {}) as Record<string, string>;
      return `Alert ${labels.alertname ?? ''} fired on ${labels.service ?? 'an unmapped service'}`;
    }
    case 'alert.resolved':
      return `Alert ${text('fingerprint')} resolved`;
    default:
      return type;
  }
}

/** The facts the regulatory clocks run on: an incident as recorded, with the entity and tolerances from the catalogue. */
export function clockInputFor(
  catalogue: CatalogueIndex | undefined,
  incident: {
    readonly declaredAt: string;
    readonly timestamps: Partial<Record<IncidentTimestamp, { readonly at: string }>>;
    readonly classification?: { readonly classifiedAt: string; readonly regimes: RegimeFlags } | undefined;
    readonly services: ReadonlyArray<{
      readonly name: string;
      readonly degradedAt: string | undefined;
      readonly restoredAt: string | undefined;
    }>;
    readonly reports: ReadonlyArray<{ readonly regime: string; readonly report: string; readonly submittedAt: string }>;
  },
  entityOverrides: Partial<ReportingEntity> = {},
): ClockInput {
  const flags = catalogue?.catalogue.organisation.entity;
  const entity: ReportingEntity = {
    creditInstitution: flags?.creditInstitution ?? false,
    centralCounterparty: false,
    tradingVenueOperator: false,
    paymentServiceProvider: flags?.paymentServiceProvider ?? false,
    nis2: flags?.nis2 ?? 'none',
    ukEnhancedReporting: flags?.ukEnhancedReporting ?? false,
    doraReliefWithdrawn: false,
    ...entityOverrides,
  };
  const occurred = incident.timestamps.occurred?.at;
  const classified = incident.classification?.classifiedAt;
  const affected = (catalogue?.listImportantBusinessServices() ?? []).flatMap((ibs) => {
    const supporting = incident.services.filter((service) => ibs.services.includes(service.name));
    const degraded = supporting.flatMap((service) =>
      service.degradedAt === undefined ? [] : [Date.parse(service.degradedAt)],
    );
    if (degraded.length === 0) return [];
    const restored = supporting.map((service) =>
      service.restoredAt === undefined ? undefined : Date.parse(service.restoredAt),
    );
    const allRestored = restored.every((time) => time !== undefined);
    return [
      {
        name: ibs.name,
        impactToleranceMs: ibs.impactTolerance.maxTolerableDisruption,
        degradedAt: new Date(Math.min(...degraded)),
        ...(allRestored ? { restoredAt: new Date(Math.max(...restored.map((time) => time ?? 0))) } : {}),
      },
    ];
  });
  return {
    awareAt: new Date(incident.timestamps.aware?.at ?? incident.declaredAt),
    ...(occurred === undefined ? {} : { occurredAt: new Date(occurred) }),
    ...(classified === undefined ? {} : { classifiedAt: new Date(classified) }),
    classification: incident.classification?.regimes ?? {
      doraMajor: false,
      gdprPersonalDataBreach: false,
      nis2Significant: false,
      ukOperationalIncident: false,
    },
    entity,
    submissions: incident.reports.flatMap((report) => {
      const regime = REPORTING_REGIMES.find((candidate) => candidate === report.regime);
      return regime === undefined ? [] : [{ regime, report: report.report, submittedAt: new Date(report.submittedAt) }];
    }),
    services: affected,
  };
}

const REPORTING_REGIMES: ReadonlyArray<ReportingRegime> = ['dora', 'gdpr', 'nis2', 'uk-incident-reporting'];
