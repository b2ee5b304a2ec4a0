import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type StoreDialect = 'sqlite' | 'postgres';

export type StoreOptions =
  | { readonly dialect: 'sqlite'; readonly file: string }
  | { readonly dialect: 'postgres'; readonly url: string; readonly poolSize?: number };

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

/** The database behind every area, whichever dialect it speaks. */
export interface Store {
  readonly dialect: StoreDialect;
  readonly db: Db;
  /** Throws if the database cannot answer a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
