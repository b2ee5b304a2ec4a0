import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Row types of every table. Times are ISO 8601 UTC text in both dialects so that ordering, comparison and
 * round trips behave the same on SQLite and PostgreSQL; JSON is text for the same reason.
 */
export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  scope: string | null;
  token_hash: string;
  token_prefix: string;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  last_used_at: string | null;
}

export interface CatalogueLoadsTable {
  id: string;
  loaded_at: string;
  actor: string;
  source: string;
  outcome: 'loaded' | 'refused';
  digest: string | null;
  summary: string;
}

/** A 64-bit integer column: SQLite answers with a number, PostgreSQL with a decimal string; write decimal strings. */
export type BigIntColumn = ColumnType<number | string | bigint, string, string>;

export interface LedgerEntriesTable {
  seq: BigIntColumn;
  id: string;
  time: string;
  actor: string;
  type: string;
  subject: string;
  /** The canonical JSON whose UTF-8 bytes are the Merkle leaf. */
  leaf: string;
  /** Canonical JSON of data kept outside the leaf; null once erased or when there is none. */
  restricted: string | null;
}

/** The hash (hex) of every complete subtree: level 0 holds the leaf hashes. */
export interface LedgerNodesTable {
  level: number;
  idx: BigIntColumn;
  hash: string;
}

export interface LedgerHeadTable {
  id: number;
  size: BigIntColumn;
  root: string;
}

export interface LedgerCheckpointsTable {
  size: BigIntColumn;
  root: string;
  signed_at: string;
  note: string;
}

/** Each SLO burn-rate tier's state, projected from `slo.burn_alert.*` events. */
export interface SloTierStatesTable {
  slo_id: string;
  tier: string;
  severity: string;
  state: string;
  since: string;
  event_id: string;
}

/** Per-minute SLI counts of one SLO; `minute` is the Unix minute, `cum_*` the running totals through it. */
export interface SloPointsTable {
  slo_id: string;
  minute: BigIntColumn;
  good: BigIntColumn;
  total: BigIntColumn;
  cum_good: BigIntColumn;
  cum_total: BigIntColumn;
}

/** The digest of every SLI batch ingested, so that a repeated batch is counted once. */
export interface SloPointBatchesTable {
  slo_id: string;
  digest: string;
  received_at: string;
}

/** One row per SLO with SLI data: the lock ingests take, and the running totals of minutes retention removed. */
export interface SloPointSeriesTable {
  slo_id: string;
  base_good: BigIntColumn;
  base_total: BigIntColumn;
  updated_at: string;
}

/** Alert payloads durably received and waiting to be turned into events. */
export interface AlertInboxTable {
  id: string;
  received_at: string;
  actor: string;
  source: string;
  payload: string;
}

/** The latest state of every alert by fingerprint, projected from `alert.*` events. */
export interface AlertsTable {
  fingerprint: string;
  source: string;
  status: string;
  alertname: string;
  severity: string | null;
  service: string | null;
  labels: string;
  annotations: string;
  enrichment: string;
  group_key: string | null;
  generator_url: string | null;
  starts_at: string;
  ends_at: string | null;
  fired_at: string;
  resolved_at: string | null;
  incident_id: string | null;
  event_id: string;
}

export interface IncidentsTable {
  id: string;
  number: number;
  title: string;
  status: string;
  severity: string;
  origin: string;
  correlation_key: string | null;
  summary: string | null;
  declared_at: string;
  declared_by: string;
  updated_at: string;
  timestamps: string;
  roles: string;
  classification: string | null;
}

export interface IncidentServicesTable {
  incident_id: string;
  service: string;
  degraded_at: string | null;
  degraded_by: string | null;
  restored_at: string | null;
  restored_by: string | null;
}

export interface IncidentLinksTable {
  incident_id: string;
  kind: string;
  target: string;
  relation: string;
  linked_at: string;
}

export interface IncidentCorrelationsTable {
  correlation_key: string;
  incident_id: string;
}

export interface IncidentReportsTable {
  incident_id: string;
  regime: string;
  report: string;
  submitted_at: string;
  submitted_by: string;
  reference: string | null;
  event_id: string;
}

/**
 * Notifications queued in the transaction of the event that caused them, one row per channel; a deliverer sends
 * them at least once. `claimed_until` is the lease of the deliverer sending the row now.
 */
export interface NotificationOutboxTable {
  id: string;
  created_at: string;
  channel: string;
  /** Rows of one channel and key are sent in id order: an incident's trigger before its resolve. */
  ordering_key: string;
  idempotency_key: string;
  /** The `OutboundNotification` as JSON. */
  message: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string;
  claimed_until: string | null;
  last_error: string | null;
  delivered_at: string | null;
}

export interface ChangesTable {
  id: string;
  number: number;
  type: string;
  status: string;
  title: string;
  content: string;
  content_hash: string;
  services: string;
  requester: string;
  implementer: string;
  planned_start: string | null;
  planned_end: string | null;
  risk: string | null;
  requirement: string | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  approved_at: string | null;
  decided_by: string | null;
  started_at: string | null;
  completed_at: string | null;
  reviewed_at: string | null;
  retrospective_due_at: string | null;
  retrospective_missed_at: string | null;
}

export interface ChangeServicesTable {
  change_id: string;
  service: string;
}

export interface ChangeApprovalsTable {
  change_id: string;
  event_id: string;
  approver: string;
  teams: string;
  as_board: number;
  at: string;
  content_hash: string;
  comment: string | null;
}

export interface DeploymentsTable {
  id: string;
  service: string;
  team: string | null;
  version: string;
  commit_at: string | null;
  deployed_at: string;
  outcome: string;
  recovered_at: string | null;
  change_id: string | null;
  source: string;
  event_id: string;
}

export interface Database {
  api_tokens: ApiTokensTable;
  catalogue_loads: CatalogueLoadsTable;
  ledger_entries: LedgerEntriesTable;
  ledger_nodes: LedgerNodesTable;
  ledger_head: LedgerHeadTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  slo_points: SloPointsTable;
  slo_point_batches: SloPointBatchesTable;
  slo_point_series: SloPointSeriesTable;
  slo_tier_states: SloTierStatesTable;
  alert_inbox: AlertInboxTable;
  alerts: AlertsTable;
  incidents: IncidentsTable;
  incident_services: IncidentServicesTable;
  incident_links: IncidentLinksTable;
  incident_correlations: IncidentCorrelationsTable;
  incident_reports: IncidentReportsTable;
  notification_outbox: NotificationOutboxTable;
  changes: ChangesTable;
  change_services: ChangeServicesTable;
  change_approvals: ChangeApprovalsTable;
  deployments: DeploymentsTable;
}

export type ApiTokenRow = Selectable<ApiTokensTable>;
export type NewApiTokenRow = Insertable<ApiTokensTable>;
export type ApiTokenUpdate = Updateable<ApiTokensTable>;
export type CatalogueLoadRow = Selectable<CatalogueLoadsTable>;
export type NewCatalogueLoadRow = Insertable<CatalogueLoadsTable>;
export type LedgerEntryRow = Selectable<LedgerEntriesTable>;
export type AlertRow = Selectable<AlertsTable>;
export type ChangeRow = Selectable<ChangesTable>;
export type DeploymentRow = Selectable<DeploymentsTable>;
export type LedgerCheckpointRow = Selectable<LedgerCheckpointsTable>;
