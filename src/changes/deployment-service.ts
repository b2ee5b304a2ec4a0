import { authorise } from '../auth/authorise.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { CatalogueIndex } from '../catalogue/index.js';
import type { Clock } from '../clock/index.js';
import { InputError, NotAllowedError } from '../errors/index.js';
import { INCIDENT_EVENT_TYPES, incidentDataOf, incidentEvent } from '../incidents/index.js';
import type { Ledger, LedgerEvent, LedgerObserver, LedgerTransaction } from '../ledger/index.js';
import type { Db, DeploymentRow } from '../store/index.js';
import { CHANGE_EVENT_TYPES, changeEvent } from './change-events.js';
import { type DeliveryGrouping, type DeliveryMetricsReport, deliveryMetrics } from './delivery-metrics.js';
import { GATE_SCOPE } from './gate-service.js';
import type { DeploymentOutcome, DeploymentRecord } from './types.js';

export interface RecordDeployment {
  readonly id?: string | undefined;
  readonly service: string;
  readonly version: string;
  readonly commitAt?: Date | undefined;
  readonly deployedAt?: Date | undefined;
  readonly outcome: DeploymentOutcome;
  readonly recoveredAt?: Date | undefined;
  readonly change?: string | undefined;
  readonly source?: string | undefined;
}

/** A deployment this long before an incident on the service, or on a service that depends on it, is a candidate cause. */
export const CANDIDATE_CAUSE_WINDOW_MS = 2 * 3_600_000;
const CANDIDATE = 'candidate-cause';
/** The four keys look back this far by default: Four Keys' own three months. */
const DEFAULT_PERIOD_MS = 90 * 86_400_000;

export interface DeploymentQuery {
  readonly service?: string | undefined;
  readonly team?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
}

/** Deployments recorded from integrations and the API, their links to incidents, and the four keys. */
export class DeploymentService {
  private constructor(
    private readonly db: Db,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
    private readonly catalogue: () => CatalogueIndex | undefined,
  ) {}

  static create(deps: {
    readonly db: Db;
    readonly ledger: Ledger;
    readonly clock: Clock;
    readonly catalogue: () => CatalogueIndex | undefined;
  }): DeploymentService {
    return new DeploymentService(deps.db, deps.ledger, deps.clock, deps.catalogue);
  }

  /** Records (or updates, by id) a deployment, and links it to incidents that followed it on affected services. */
  async record(principal: Principal, input: RecordDeployment): Promise<DeploymentRecord> {
    if (principal.kind === 'token' && principal.role === 'integration') {
      if (principal.scope !== GATE_SCOPE) {
        throw new NotAllowedError(
          `this integration token is scoped to ${principal.scope ?? 'nothing'}, not ${GATE_SCOPE}`,
        );
      }
    } else {
      authorise(principal, 'deployments:record');
    }
    const service = this.catalogue()?.service(input.service);
    if (service === undefined) {
      throw new InputError(`no service "${input.service}" in the catalogue`, {
        details: [{ path: 'service', message: 'must be a catalogue service' }],
      });
    }
    const deployedAt = input.deployedAt ?? this.clock.now();
    if (input.commitAt !== undefined && input.commitAt > deployedAt) {
      throw new InputError('commitAt cannot be after deployedAt', {
        details: [{ path: 'commitAt', message: 'must not be after deployedAt' }],
      });
    }
    if (input.recoveredAt !== undefined && (input.outcome === 'succeeded' || input.recoveredAt < deployedAt)) {
      throw new InputError('recoveredAt belongs to a failed or rolled-back deployment, after it was deployed', {
        details: [
          { path: 'recoveredAt', message: 'only for a failed or rolled-back deployment, not before deployedAt' },
        ],
      });
    }
    const id = input.id ?? `${service.name}@${input.version}@${deployedAt.toISOString()}`;
    await this.ledger.transact(async (tx) => {
      if (input.change !== undefined) {
        const change = await tx.db.selectFrom('changes').select('id').where('id', '=', input.change).executeTakeFirst();
        if (change === undefined) {
          throw new InputError(`no change ${input.change}`, {
            details: [{ path: 'change', message: 'must be a change id' }],
          });
        }
      }
      await tx.append(
        changeEvent(CHANGE_EVENT_TYPES.deploymentRecorded, actorOf(principal), `deployment:${id}`, {
          deploymentId: id,
          service: service.name,
          team: service.team,
          version: input.version,
          commitAt: input.commitAt?.toISOString() ?? null,
          deployedAt: deployedAt.toISOString(),
          outcome: input.outcome,
          recoveredAt: input.recoveredAt?.toISOString() ?? null,
          changeId: input.change ?? null,
          source: input.source ?? 'api',
        }),
      );
      await this.linkLaterIncidents(tx, id, service.name, deployedAt);
    });
    const row = await this.db.selectFrom('deployments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return recordOf(row);
  }

  /** Deployments in [from, to); by default the 90 days to now. */
  async list(principal: Principal, options: DeploymentQuery = {}): Promise<DeploymentRecord[]> {
    authorise(principal, 'changes:read');
    const { from, to } = this.periodOf(options);
    let query = this.db
      .selectFrom('deployments')
      .selectAll()
      .where('deployed_at', '>=', from.toISOString())
      .where('deployed_at', '<', to.toISOString());
    if (options.service !== undefined) query = query.where('service', '=', options.service);
    if (options.team !== undefined) query = query.where('team', '=', options.team);
    return (await query.orderBy('deployed_at').execute()).map(recordOf);
  }

  /** The DevOps Research and Assessment four keys (not the DORA regulation) over a period. */
  async metrics(
    principal: Principal,
    options: DeploymentQuery & { readonly groupBy: DeliveryGrouping },
  ): Promise<DeliveryMetricsReport> {
    const period = this.periodOf(options);
    const deployments = await this.list(principal, { ...options, ...period });
    return deliveryMetrics(deployments, period, options.groupBy);
  }

  private periodOf(options: DeploymentQuery): { readonly from: Date; readonly to: Date } {
    const to = options.to ?? this.clock.now();
    const from = options.from ?? new Date(to.getTime() - DEFAULT_PERIOD_MS);
    if (to <= from) {
      throw new InputError('to must be after from', { details: [{ path: 'to', message: 'must be after from' }] });
    }
    return { from, to };
  }

  /** An observer that links deployments shortly before a new incident, on its services or their dependencies. */
  candidateCauseLinker(): LedgerObserver {
    return {
      types: [INCIDENT_EVENT_TYPES.declared],
      observe: async (tx: LedgerTransaction, event: LedgerEvent) => {
        const data = incidentDataOf(INCIDENT_EVENT_TYPES.declared, event.data);
        const affected = this.withDependencies(data.services);
        if (affected.length === 0) return;
        const until = data.occurredAt ?? data.awareAt;
        const since = new Date(Date.parse(until) - CANDIDATE_CAUSE_WINDOW_MS).toISOString();
        const deployments = await tx.db
          .selectFrom('deployments')
          .select(['id', 'service'])
          .where('service', 'in', affected)
          .where('deployed_at', '>=', since)
          .where('deployed_at', '<=', data.awareAt)
          .orderBy('deployed_at')
          .execute();
        for (const deployment of deployments) {
          await tx.append(
            incidentEvent(INCIDENT_EVENT_TYPES.linked, 'system:change-correlation', {
              incidentId: data.incidentId,
              kind: 'deployment',
              target: deployment.id,
              relation: CANDIDATE,
            }),
          );
        }
      },
    };
  }

  /** A deployment recorded after the incident it may have caused: link it to incidents declared soon after it. */
  private async linkLaterIncidents(tx: LedgerTransaction, id: string, service: string, deployedAt: Date) {
    const catalogue = this.catalogue();
    const dependants = (catalogue?.listServices() ?? [])
      .filter((other) => catalogue?.transitiveDependencies(other.name).includes(service))
      .map((other) => other.name);
    const until = new Date(deployedAt.getTime() + CANDIDATE_CAUSE_WINDOW_MS).toISOString();
    const incidents = await tx.db
      .selectFrom('incidents as i')
      .innerJoin('incident_services as s', 's.incident_id', 'i.id')
      .select('i.id')
      .distinct()
      .where('s.service', 'in', [service, ...dependants])
      .where('i.declared_at', '>=', deployedAt.toISOString())
      .where('i.declared_at', '<=', until)
      .execute();
    for (const incident of incidents) {
      const linked = await tx.db
        .selectFrom('incident_links')
        .select('target')
        .where('incident_id', '=', incident.id)
        .where('kind', '=', 'deployment')
        .where('target', '=', id)
        .executeTakeFirst();
      if (linked !== undefined) continue;
      await tx.append(
        incidentEvent(INCIDENT_EVENT_TYPES.linked, 'system:change-correlation', {
          incidentId: incident.id,
          kind: 'deployment',
          target: id,
          relation: CANDIDATE,
        }),
      );
    }
  }

  private withDependencies(services: ReadonlyArray<string>): string[] {
    const catalogue = this.catalogue();
    return [...new Set(services.flatMap((name) => [name, ...(catalogue?.transitiveDependencies(name) ?? [])]))];
  }
}

export function recordOf(row: DeploymentRow): DeploymentRecord {
  return {
    id: row.id,
    service: row.service,
    team: row.team ?? undefined,
    version: row.version,
    commitAt: row.commit_at ?? undefined,
    deployedAt: row.deployed_at,
    outcome: row.outcome as DeploymentOutcome,
    recoveredAt: row.recovered_at ?? undefined,
    changeId: row.change_id ?? undefined,
  };
}
