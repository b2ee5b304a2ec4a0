import { type Migration, type MigrationResultSet, Migrator } from 'kysely';
import * as initial from './migrations/0001-initial.js';
import * as ledger from './migrations/0002-ledger.js';
import * as sloPoints from './migrations/0003-slo-points.js';
import * as sloTierStates from './migrations/0004-slo-tier-states.js';
import * as alertsIncidents from './migrations/0005-alerts-incidents.js';
import * as notificationOutbox from './migrations/0006-notification-outbox.js';
import * as changes from './migrations/0007-changes.js';
import type { Store } from './store.js';

const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-ledger': ledger,
  '0003-slo-points': sloPoints,
  '0004-slo-tier-states': sloTierStates,
  '0005-alerts-incidents': alertsIncidents,
  '0006-notification-outbox': notificationOutbox,
  '0007-changes': changes,
};

/** Brings the schema to the latest version; returns what ran, or the error that stopped it. */
export async function migrateToLatest(store: Store): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => MIGRATIONS },
    migrationTableName: 'sre_agent_migrations',
    migrationLockTableName: 'sre_agent_migrations_lock',
  });
  return migrator.migrateToLatest();
}
