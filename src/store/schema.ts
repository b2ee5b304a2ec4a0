import type { Insertable, Selectable, Updateable } from 'kysely';

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

export interface Database {
  api_tokens: ApiTokensTable;
  catalogue_loads: CatalogueLoadsTable;
}

export type ApiTokenRow = Selectable<ApiTokensTable>;
export type NewApiTokenRow = Insertable<ApiTokensTable>;
export type ApiTokenUpdate = Updateable<ApiTokensTable>;
export type CatalogueLoadRow = Selectable<CatalogueLoadsTable>;
export type NewCatalogueLoadRow = Insertable<CatalogueLoadsTable>;
