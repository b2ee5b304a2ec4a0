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
}

export type ApiTokenRow = Selectable<ApiTokensTable>;
export type NewApiTokenRow = Insertable<ApiTokensTable>;
export type ApiTokenUpdate = Updateable<ApiTokensTable>;
export type CatalogueLoadRow = Selectable<CatalogueLoadsTable>;
export type NewCatalogueLoadRow = Insertable<CatalogueLoadsTable>;
export type LedgerEntryRow = Selectable<LedgerEntriesTable>;
export type LedgerCheckpointRow = Selectable<LedgerCheckpointsTable>;
