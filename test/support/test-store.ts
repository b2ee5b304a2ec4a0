/**
 * Real stores for storage tests, one per dialect: a SQLite file in a temp dir or a fresh PostgreSQL database.
 * @module
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNever } from '../../src/errors/index.js';
import { openStore, type Store, type StoreDialect, type StoreOptions } from '../../src/store/index.js';
import { sharedPostgres } from './postgres-cluster.js';

const ALL_DIALECTS = ['sqlite', 'postgres'] as const satisfies ReadonlyArray<StoreDialect>;

/** Every dialect, or those named in `DIALECTS` (comma-separated, e.g. `DIALECTS=sqlite`). */
export const DIALECTS: ReadonlyArray<StoreDialect> = selectDialects(process.env.DIALECTS);

export interface TestStore {
  readonly store: Store;
  readonly options: StoreOptions;
  /** Closes the store and removes what it left on disk; safe to call twice. */
  cleanup(): Promise<void>;
}

/** Opens a migrated store on an empty database of the dialect; pass `cleanup` to `t.after`. */
export async function openTestStore(dialect: StoreDialect): Promise<TestStore> {
  switch (dialect) {
    case 'sqlite':
      return openSqlite();
    case 'postgres':
      return openPostgres();
    default:
      return assertNever(dialect, 'store dialect');
  }
}

async function openSqlite(): Promise<TestStore> {
  const dir = await mkdtemp(join(tmpdir(), 'sre-sqlite-'));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  const options: StoreOptions = { dialect: 'sqlite', file: join(dir, 'sre-agent.db') };
  try {
    const store = await openStore(options);
    return { store, options, cleanup: once(() => store.close().finally(removeDir)) };
  } catch (error: unknown) {
    await removeDir();
    throw error;
  }
}

async function openPostgres(): Promise<TestStore> {
  const server = await sharedPostgres();
  const options: StoreOptions = { dialect: 'postgres', url: await server.createDatabase() };
  const store = await openStore(options);
  return { store, options, cleanup: once(() => store.close()) };
}

function selectDialects(requested: string | undefined): ReadonlyArray<StoreDialect> {
  if (requested === undefined || requested.trim() === '') return ALL_DIALECTS;
  const names = requested
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !ALL_DIALECTS.some((dialect) => dialect === name));
  if (unknown.length > 0) {
    throw new Error(`DIALECTS names unknown dialects: ${unknown.join(', ')} (known: ${ALL_DIALECTS.join(', ')})`);
  }
  return ALL_DIALECTS.filter((dialect) => names.includes(dialect));
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= action();
    return running;
  };
}
