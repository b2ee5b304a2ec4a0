import { UnavailableError } from '../errors/index.js';
import { migrateToLatest } from './migrate.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store, StoreOptions } from './store.js';

/** Opens the configured database and runs every pending migration before anything reads it. */
export async function openStore(options: StoreOptions, onIdleError: (error: Error) => void = () => {}): Promise<Store> {
  let store: Store | undefined;
  try {
    store =
      options.dialect === 'sqlite'
        ? SqliteStore.open(options.file)
        : PostgresStore.open(options.url, options.poolSize, onIdleError);
    await store.ping();
  } catch (error: unknown) {
    await store?.close().catch(() => {});
    throw new UnavailableError(`cannot open the ${options.dialect} database: ${safeReason(error)}`, { cause: error });
  }
  const result = await migrateToLatest(store);
  if (result.error !== undefined) {
    await store.close();
    const failed = result.results?.find((migration) => migration.status === 'Error')?.migrationName ?? 'unknown';
    throw new UnavailableError(`database migration ${failed} failed`, { cause: result.error });
  }
  return store;
}

/** A reason fit for an operator: the driver's error code, never the query or connection string. */
function safeReason(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return `${error.code} (${error.message.split('\n')[0]?.replace(/postgres(ql)?:\/\/\S+/g, '<url>')})`;
  }
  return error instanceof Error ? (error.message.split('\n')[0] ?? 'unknown error') : 'unknown error';
}
