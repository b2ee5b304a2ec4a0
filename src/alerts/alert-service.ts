import { authorise } from '../auth/authorise.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { Clock } from '../clock/index.js';
import { NotAllowedError, NotFoundError } from '../errors/index.js';
import type { AlertRow, Db } from '../store/index.js';
import type { AlertInbox } from './alert-inbox.js';
import { type AlertmanagerWebhook, batchOfPostedAlerts, batchOfWebhook, type PostedAlerts } from './alert-payloads.js';
import type { AlertBatch, AlertEnrichment } from './types.js';

/** Integration tokens scoped to these may deliver to the Alertmanager webhook or post alerts, and nothing else. */
export const ALERTMANAGER_SCOPE = 'alertmanager';
export const ALERTS_SCOPE = 'alerts';

export interface Receipt {
  readonly receipt: string;
  readonly alerts: number;
}

export interface AlertView {
  readonly fingerprint: string;
  readonly status: string;
  readonly alertname: string;
  readonly severity: string | undefined;
  readonly source: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly enrichment: AlertEnrichment;
  readonly groupKey: string | undefined;
  readonly generatorUrl: string | undefined;
  readonly startsAt: string;
  readonly endsAt: string | undefined;
  readonly firedAt: string;
  readonly resolvedAt: string | undefined;
  readonly incidentId: string | undefined;
}

export interface ListAlertsOptions {
  readonly status?: 'firing' | 'resolved' | undefined;
  readonly service?: string | undefined;
  readonly incident?: string | undefined;
  readonly limit?: number | undefined;
}

/** What the HTTP API, the CLI and MCP do with alerts: take them in, and show their state. */
export class AlertService {
  private constructor(
    private readonly db: Db,
    private readonly inbox: AlertInbox,
    private readonly clock: Clock,
    private readonly received: () => void,
  ) {}

  static create(deps: {
    readonly db: Db;
    readonly inbox: AlertInbox;
    readonly clock: Clock;
    /** Told after each durable receipt, so that processing starts at once. */
    readonly received: () => void;
  }): AlertService {
    return new AlertService(deps.db, deps.inbox, deps.clock, deps.received);
  }

  /** An Alertmanager notification, durably kept before this returns; its transitions are recorded after. */
  async receiveWebhook(principal: Principal, webhook: AlertmanagerWebhook): Promise<Receipt> {
    this.authoriseDelivery(principal, ALERTMANAGER_SCOPE);
    return this.receive(principal, batchOfWebhook(webhook));
  }

  async receivePosted(principal: Principal, posted: PostedAlerts): Promise<Receipt> {
    this.authoriseDelivery(principal, ALERTS_SCOPE);
    return this.receive(principal, batchOfPostedAlerts(posted, this.clock.now()));
  }

  async list(principal: Principal, options: ListAlertsOptions = {}): Promise<AlertView[]> {
    authorise(principal, 'alerts:read');
    let query = this.db.selectFrom('alerts').selectAll();
    if (options.status !== undefined) query = query.where('status', '=', options.status);
    if (options.service !== undefined) query = query.where('service', '=', options.service);
    if (options.incident !== undefined) query = query.where('incident_id', '=', options.incident);
    const rows = await query
      .orderBy('fired_at', 'desc')
      .orderBy('fingerprint')
      .limit(options.limit ?? 500)
      .execute();
    return rows.map(viewOf);
  }

  async get(principal: Principal, fingerprint: string): Promise<AlertView> {
    authorise(principal, 'alerts:read');
    const row = await this.db
      .selectFrom('alerts')
      .selectAll()
      .where('fingerprint', '=', fingerprint)
      .executeTakeFirst();
    if (row === undefined) throw new NotFoundError(`no alert with fingerprint ${fingerprint}`);
    return viewOf(row);
  }

  private async receive(principal: Principal, batch: AlertBatch): Promise<Receipt> {
    const receipt = await this.inbox.put(actorOf(principal), batch);
    this.received();
    return { receipt, alerts: batch.alerts.length };
  }

  private authoriseDelivery(principal: Principal, scope: string): void {
    if (principal.kind === 'token' && principal.role === 'integration') {
      if (principal.scope !== scope) {
        throw new NotAllowedError(`this integration token is scoped to ${principal.scope ?? 'nothing'}, not ${scope}`);
      }
      return;
    }
    authorise(principal, 'alerts:ingest');
  }
}

function viewOf(row: AlertRow): AlertView {
  const enrichment = JSON.parse(row.enrichment) as {
    service: string | null;
    team: string | null;
    tier: number | null;
    importantBusinessServices: string[];
    runbook: string | null;
  };
  return {
    fingerprint: row.fingerprint,
    status: row.status,
    alertname: row.alertname,
    severity: row.severity ?? undefined,
    source: row.source,
    labels: JSON.parse(row.labels) as Record<string, string>,
    annotations: JSON.parse(row.annotations) as Record<string, string>,
    enrichment: {
      service: enrichment.service ?? undefined,
      team: enrichment.team ?? undefined,
      tier: enrichment.tier ?? undefined,
      importantBusinessServices: enrichment.importantBusinessServices,
      runbook: enrichment.runbook ?? undefined,
    },
    groupKey: row.group_key ?? undefined,
    generatorUrl: row.generator_url ?? undefined,
    startsAt: row.starts_at,
    endsAt: row.ends_at ?? undefined,
    firedAt: row.fired_at,
    resolvedAt: row.resolved_at ?? undefined,
    incidentId: row.incident_id ?? undefined,
  };
}
