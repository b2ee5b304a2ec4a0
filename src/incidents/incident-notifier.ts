import type { CatalogueIndex } from '../catalogue/index.js';
import type { LedgerEvent, LedgerObserver, LedgerTransaction } from '../ledger/index.js';
import type {
  NotificationDetail,
  NotificationKind,
  OutboundNotification,
  Outbox,
  PagerDutyAction,
} from '../notify/index.js';
import { incidentDataOf, INCIDENT_EVENT_TYPES as T } from './incident-events.js';
import type { Severity } from './types.js';

/** The incident events people are told of, what each is called in a notification, and what PagerDuty does. */
const TOLD = {
  [T.declared]: { kind: 'incident.declared', pagerDuty: 'trigger' },
  [T.acknowledged]: { kind: 'incident.acknowledged', pagerDuty: 'acknowledge' },
  [T.updated]: { kind: 'incident.updated', pagerDuty: 'trigger' },
  [T.roleAssigned]: { kind: 'incident.updated', pagerDuty: 'trigger' },
  [T.severityChanged]: { kind: 'incident.severity_changed', pagerDuty: 'trigger' },
  [T.resolved]: { kind: 'incident.resolved', pagerDuty: 'resolve' },
  [T.closed]: { kind: 'incident.closed', pagerDuty: 'resolve' },
} as const satisfies Partial<Record<string, { readonly kind: NotificationKind; readonly pagerDuty: PagerDutyAction }>>;

type ToldType = keyof typeof TOLD;

/**
 * Queues a notification for each incident event people should hear of, in the event's own transaction, routed by
 * the owning team and severity. The ledger event's id is the idempotency key.
 */
export class IncidentNotifier implements LedgerObserver {
  readonly types: ReadonlyArray<string> = Object.keys(TOLD);

  private constructor(
    private readonly outbox: Outbox,
    private readonly catalogue: () => CatalogueIndex | undefined,
    private readonly incidentUrl: ((id: string) => string) | undefined,
  ) {}

  static create(deps: {
    readonly outbox: Outbox;
    readonly catalogue: () => CatalogueIndex | undefined;
    /** Where people open an incident, when sre-agent knows its public address. */
    readonly incidentUrl?: ((id: string) => string) | undefined;
  }): IncidentNotifier {
    return new IncidentNotifier(deps.outbox, deps.catalogue, deps.incidentUrl);
  }

  async observe(tx: LedgerTransaction, event: LedgerEvent): Promise<void> {
    const db = tx.db;
    if (!isTold(event.type)) return;
    const incidentId = /^incident:(.+)$/.exec(event.subject)?.[1];
    if (incidentId === undefined) return;
    const incident = await db.selectFrom('incidents').selectAll().where('id', '=', incidentId).executeTakeFirst();
    if (incident === undefined) return;
    const services = (
      await db.selectFrom('incident_services').select('service').where('incident_id', '=', incidentId).execute()
    ).map((row) => row.service);
    const catalogue = this.catalogue();
    const owners = services.flatMap((name) => {
      const service = catalogue?.service(name);
      return service === undefined ? [] : [service];
    });
    const told = TOLD[event.type];
    const details: NotificationDetail[] = [
      { label: 'Severity', value: incident.severity },
      { label: 'Status', value: incident.status },
      { label: 'Services', value: services.join(', ') || 'none recorded' },
    ];
    const ibs = [...new Set(owners.flatMap((service) => service.importantBusinessServices))];
    if (ibs.length > 0) details.push({ label: 'Important business services', value: ibs.join(', ') });
    const runbook = owners.find((service) => service.runbook !== undefined)?.runbook;
    if (runbook !== undefined) details.push({ label: 'Runbook', value: runbook });
    details.push({ label: 'By', value: event.actor });
    const message: OutboundNotification = {
      kind: told.kind,
      incidentId,
      title: incident.title,
      severity: incident.severity as Severity,
      team: owners[0]?.team,
      services,
      summary: summaryOf(event, incidentId, incident.severity),
      details,
      url: this.incidentUrl?.(incidentId),
      occurredAt: event.time,
      pagerDuty: { action: told.pagerDuty, dedupKey: `sre-agent/${incidentId}` },
    };
    await this.outbox.enqueue(db, message, event.id);
  }
}

function isTold(type: string): type is ToldType {
  return Object.hasOwn(TOLD, type);
}

function summaryOf(event: LedgerEvent, incidentId: string, severity: string): string {
  switch (event.type) {
    case T.declared: {
      const data = incidentDataOf(T.declared, event.data);
      return `${severity} incident ${incidentId} declared on ${data.services.join(', ')}: ${data.title}`;
    }
    case T.acknowledged:
      return `${incidentId} acknowledged by ${event.actor}`;
    case T.updated: {
      const data = incidentDataOf(T.updated, event.data);
      return `${incidentId} is ${data.status}: ${data.message}`;
    }
    case T.roleAssigned: {
      const data = incidentDataOf(T.roleAssigned, event.data);
      return `${data.assignee} is now ${data.role === 'commander' ? 'incident commander' : `${data.role} lead`} for ${incidentId}`;
    }
    case T.severityChanged: {
      const data = incidentDataOf(T.severityChanged, event.data);
      return `${incidentId} changed from ${data.from} to ${data.to}: ${data.reason}`;
    }
    case T.resolved: {
      const data = incidentDataOf(T.resolved, event.data);
      return `${incidentId} resolved${data.message === null ? '' : `: ${data.message}`}`;
    }
    case T.closed:
      return `${incidentId} closed`;
    default:
      return `${incidentId}: ${event.type}`;
  }
}
