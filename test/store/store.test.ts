import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { UnavailableError } from '../../src/errors/index.js';
import {
  isUniqueViolation,
  migrateToLatest,
  type NewApiTokenRow,
  type NewCatalogueLoadRow,
  openStore,
} from '../../src/store/index.js';
import { findFreePort, stopSharedPostgres } from '../support/postgres-cluster.js';
import { DIALECTS, openTestStore } from '../support/test-store.js';

after(stopSharedPostgres);

function apiToken(overrides: Partial<NewApiTokenRow> = {}): NewApiTokenRow {
  const id = randomUUID();
  return {
    id,
    name: 'deploy-bot',
    role: 'operator',
    scope: null,
    token_hash: `hash-${id}`,
    token_prefix: id.slice(0, 8),
    created_at: '2025-01-02T03:04:05.000Z',
    created_by: 'admin',
    expires_at: null,
    revoked_at: null,
    revoked_by: null,
    last_used_at: null,
    ...overrides,
  };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: store`, () => {
    test('migrations create api_tokens and catalogue_loads', async (t) => {
      const { store, cleanup } = await openTestStore(dialect);
      t.after(cleanup);
      const token = apiToken({ scope: 'payments', expires_at: '2026-01-01T00:00:00.000Z' });
      const load: NewCatalogueLoadRow = {
        id: randomUUID(),
        loaded_at: '2025-01-02T03:04:05.000Z',
        actor: 'admin',
        source: 'catalogue.yaml',
        outcome: 'loaded',
        digest: 'sha256:abc',
        summary: '3 services',
      };

      await store.db.insertInto('api_tokens').values(token).execute();
      await store.db.insertInto('catalogue_loads').values(load).execute();

      assert.deepEqual(await store.db.selectFrom('api_tokens').selectAll().execute(), [token]);
      assert.deepEqual(await store.db.selectFrom('catalogue_loads').selectAll().execute(), [load]);
    });

    test('opening a migrated database again runs no migration and keeps its rows', async (t) => {
      const { store, options, cleanup } = await openTestStore(dialect);
      t.after(cleanup);
      const token = apiToken();
      await store.db.insertInto('api_tokens').values(token).execute();

      const again = await openStore(options);
      t.after(() => again.close());
      const rerun = await migrateToLatest(again);

      assert.equal(rerun.error, undefined);
      assert.deepEqual(rerun.results, []);
      assert.deepEqual(await again.db.selectFrom('api_tokens').selectAll().execute(), [token]);
    });

    test('ping answers on an open store', async (t) => {
      const { store, cleanup } = await openTestStore(dialect);
      t.after(cleanup);

      await assert.doesNotReject(store.ping());
    });

    test('refuses a second active token with the same name until the first is revoked', async (t) => {
      const { store, cleanup } = await openTestStore(dialect);
      t.after(cleanup);
      const first = apiToken({ name: 'ci' });
      await store.db.insertInto('api_tokens').values(first).execute();

      await assert.rejects(
        store.db
          .insertInto('api_tokens')
          .values(apiToken({ name: 'ci' }))
          .execute(),
        (error) => isUniqueViolation(error),
      );

      await store.db
        .updateTable('api_tokens')
        .set({ revoked_at: '2025-02-01T00:00:00.000Z', revoked_by: 'admin' })
        .where('id', '=', first.id)
        .execute();
      const second = apiToken({ name: 'ci' });
      await store.db.insertInto('api_tokens').values(second).execute();

      const active = await store.db.selectFrom('api_tokens').select('id').where('revoked_at', 'is', null).execute();
      assert.deepEqual(active, [{ id: second.id }]);
    });

    test('rejects an unreachable server with an UnavailableError that does not reveal the URL', {
      skip: dialect !== 'postgres' && 'PostgreSQL only',
    }, async () => {
      const url = `postgres://sre:secret-password@127.0.0.1:${await findFreePort()}/sre`;

      await assert.rejects(openStore({ dialect: 'postgres', url }), (error) => {
        assert.ok(error instanceof UnavailableError);
        assert.equal(error.code, 'SRE_UNAVAILABLE');
        assert.ok(!error.message.includes(url), error.message);
        assert.ok(!error.message.includes('secret-password'), error.message);
        return true;
      });
    });
  });
}
