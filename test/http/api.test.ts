import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-store.js';

after(stopSharedPostgres);

interface ErrorBody {
  error: {
    code: string;
    message: string;
    requestId: string;
    details?: { path: string; message: string; file?: string; line?: number }[];
  };
}

function errorOf(body: string): ErrorBody['error'] {
  const parsed: ErrorBody = JSON.parse(body);
  assert.equal(typeof parsed.error.code, 'string');
  assert.doesNotMatch(body, /\n\s+at |node_modules|SQLITE_|relation "/, 'an error body leaks internals');
  return parsed.error;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: HTTP API`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(dialect);
    });
    after(async () => {
      await t.cleanup();
    });

    test('health, readiness and metrics answer without a token', async () => {
      const health = await t.app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 200);
      const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 200);
      assert.equal(ready.json().checks.storage.ok, true);
      assert.equal(ready.json().checks.catalogue.ok, true);
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(metrics.statusCode, 200);
      assert.match(String(metrics.headers['content-type']), /text\/plain/);
      assert.match(metrics.body, /sre_agent_catalogue_entries\{kind="services"\} 15/);
      assert.match(metrics.body, /sre_agent_alert_inbox_depth 0/);
      assert.match(metrics.body, /sre_agent_notification_outbox_depth 0/);
      assert.match(metrics.body, /sre_agent_http_request_duration_seconds_bucket\{.*route="\/readyz"/);
    });

    test('every /api/ route in the OpenAPI document refuses a request without a token', async () => {
      const openapi = await t.app.inject({ method: 'GET', url: '/openapi.json' });
      assert.equal(openapi.statusCode, 200);
      const document: { paths: Record<string, Record<string, unknown>>; components: { securitySchemes: object } } =
        openapi.json();
      assert.ok('bearerAuth' in document.components.securitySchemes);
      const paths = Object.entries(document.paths).filter(([path]) => path.startsWith('/api/'));
      assert.ok(paths.length >= 13, `only ${paths.length} API paths documented`);
      for (const [path, operations] of paths) {
        for (const method of Object.keys(operations)) {
          const url = path.replace(/\{[^}]+\}/g, 'x');
          assert.ok(['get', 'post', 'put'].includes(method), `a ${method} route needs a case here`);
          const response =
            method === 'get'
              ? await t.app.inject({ method: 'GET', url })
              : await t.app.inject({ method: method === 'put' ? 'PUT' : 'POST', url, payload: {} });
          assert.equal(response.statusCode, 401, `${method} ${path}`);
          assert.equal(errorOf(response.body).code, 'SRE_AUTHENTICATION_REQUIRED');
        }
      }
    });

    test('refuses malformed, unknown, revoked and expired tokens', async () => {
      const cases = ['Basic abc', 'Bearer', 'Bearer sre_short', `Bearer sre_${'A'.repeat(43)}`];
      for (const authorization of cases) {
        const response = await t.app.inject({ method: 'GET', url: '/api/v1/services', headers: { authorization } });
        assert.equal(response.statusCode, 401, authorization);
      }
      const admin = await t.bearer('admin');
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: admin,
        payload: { name: 'short-lived', role: 'viewer', expiresIn: '1h' },
      });
      assert.equal(created.statusCode, 201);
      const viewer = { authorization: `Bearer ${created.json().token}` };
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/services', headers: viewer })).statusCode, 200);
      t.clock.advance(3_600_000);
      const expired = await t.app.inject({ method: 'GET', url: '/api/v1/services', headers: viewer });
      assert.equal(expired.statusCode, 401);
      assert.match(errorOf(expired.body).message, /expired/);
    });

    test('serves the catalogue to readers, with filters and enrichment', async () => {
      const viewer = await t.bearer('viewer');
      const all = await t.app.inject({ method: 'GET', url: '/api/v1/services', headers: viewer });
      assert.equal(all.statusCode, 200);
      assert.equal(all.json().items.length, 15);
      const tierOne = await t.app.inject({ method: 'GET', url: '/api/v1/services?tier=1', headers: viewer });
      assert.equal(tierOne.json().items.length, 5);
      const ledger = await t.app.inject({ method: 'GET', url: '/api/v1/services/core-ledger', headers: viewer });
      assert.equal(ledger.statusCode, 200);
      const body = ledger.json();
      assert.equal(body.tier, 1);
      assert.ok(body.dependants.includes('card-payments-gateway'));
      assert.ok(body.importantBusinessServices.includes('make-a-card-payment'));
      assert.match(body.rto, /^\d+[mh]/);
      const ibs = await t.app.inject({
        method: 'GET',
        url: '/api/v1/important-business-services/make-a-card-payment',
        headers: viewer,
      });
      assert.match(ibs.json().impactTolerance.maxTolerableDisruption, /^\d+h$/);
      for (const url of ['/api/v1/organisation', '/api/v1/teams', '/api/v1/third-parties', '/api/v1/catalogue']) {
        assert.equal((await t.app.inject({ method: 'GET', url, headers: viewer })).statusCode, 200, url);
      }
      const missing = await t.app.inject({ method: 'GET', url: '/api/v1/services/no-such-service', headers: viewer });
      assert.equal(missing.statusCode, 404);
      assert.equal(errorOf(missing.body).code, 'SRE_NOT_FOUND');
    });

    test('says which freeze windows are in force at a given time', async () => {
      const viewer = await t.bearer('viewer');
      // Friday 27 November 2026, 18:00 in London: the weekend freeze and Black Friday are both in force.
      const friday = await t.app.inject({
        method: 'GET',
        url: '/api/v1/freeze-windows?at=2026-11-27T18:00:00Z',
        headers: viewer,
      });
      assert.equal(friday.statusCode, 200);
      const active = friday
        .json()
        .items.filter((window: { activeNow: boolean }) => window.activeNow)
        .map((window: { name: string }) => window.name)
        .sort();
      assert.deepEqual(active, ['black-friday-2026', 'weekend-tier1-freeze']);
      const wednesday = await t.app.inject({
        method: 'GET',
        url: '/api/v1/freeze-windows?at=2026-12-09T12:00:00Z&service=status-page',
        headers: viewer,
      });
      assert.deepEqual(
        wednesday.json().items.filter((window: { activeNow: boolean }) => window.activeNow),
        [],
      );
    });

    test('validates query strings and bodies with JSON paths and 4xx', async () => {
      const viewer = await t.bearer('viewer');
      const badTier = await t.app.inject({ method: 'GET', url: '/api/v1/services?tier=7', headers: viewer });
      assert.equal(badTier.statusCode, 400);
      assert.equal(errorOf(badTier.body).details?.[0]?.path, 'querystring.tier');
      const unknown = await t.app.inject({ method: 'GET', url: '/api/v1/services?colour=red', headers: viewer });
      assert.equal(unknown.statusCode, 400);

      const admin = await t.bearer('admin');
      const badRole = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: admin,
        payload: { name: 'x', role: 'god' },
      });
      assert.equal(badRole.statusCode, 400);
      assert.equal(errorOf(badRole.body).details?.[0]?.path, '$.role');
      const badLifetime = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: admin,
        payload: { name: 'x', role: 'viewer', expiresIn: 'soon' },
      });
      assert.equal(badLifetime.statusCode, 400);
      assert.match(errorOf(badLifetime.body).message, /expiresIn "soon" is not a duration/);
      const notJson = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { ...admin, 'content-type': 'application/json' },
        payload: '{"name": ',
      });
      assert.equal(notJson.statusCode, 400);
      assert.equal(errorOf(notJson.body).code, 'SRE_INPUT_INVALID');
      const text = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { ...admin, 'content-type': 'text/plain' },
        payload: 'name=x',
      });
      assert.equal(text.statusCode, 415);
      const huge = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: admin,
        payload: { name: 'x', role: 'viewer', padding: 'x'.repeat(100 * 1024) },
      });
      assert.equal(huge.statusCode, 413);
      assert.equal(errorOf(huge.body).code, 'SRE_PAYLOAD_TOO_LARGE');
      const route = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: viewer });
      assert.equal(route.statusCode, 404);
      const tokens = await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: admin });
      assert.ok(!tokens.json().items.some((token: { name: string }) => token.name === 'x'), 'half-written token');
    });

    test('enforces roles: integration tokens read nothing, only admins manage tokens and reload', async () => {
      const integration = await t.bearer('integration');
      const refused = await t.app.inject({ method: 'GET', url: '/api/v1/services', headers: integration });
      assert.equal(refused.statusCode, 403);
      assert.match(errorOf(refused.body).message, /integration role may not read the catalogue/);
      for (const role of ['viewer', 'responder', 'engineer', 'approver', 'auditor'] as const) {
        const headers = await t.bearer(role);
        const create = await t.app.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          headers,
          payload: { name: `by-${role}`, role: 'admin' },
        });
        assert.equal(create.statusCode, 403, role);
        const reload = await t.app.inject({ method: 'POST', url: '/api/v1/catalogue/reload', headers });
        assert.equal(reload.statusCode, 403, role);
      }
      const auditor = await t.bearer('auditor');
      assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: auditor })).statusCode, 200);
    });

    test('creates, lists and revokes tokens; the value is shown once and never listed', async () => {
      const admin = await t.bearer('admin');
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: admin,
        payload: { name: 'ci-pipeline', role: 'engineer' },
      });
      assert.equal(created.statusCode, 201);
      assert.equal(created.headers['cache-control'], 'no-store');
      const { token, summary } = created.json();
      assert.match(token, /^sre_[A-Za-z0-9_-]{43}$/);
      assert.equal(summary.createdBy.startsWith('token:admin-'), true);
      const duplicate = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: admin,
        payload: { name: 'ci-pipeline', role: 'viewer' },
      });
      assert.equal(duplicate.statusCode, 409);
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: admin });
      assert.ok(!list.body.includes(token));
      assert.ok(!list.body.includes(token.slice(12)));
      const revoked = await t.app.inject({ method: 'POST', url: '/api/v1/tokens/ci-pipeline/revoke', headers: admin });
      assert.equal(revoked.statusCode, 200);
      assert.equal(revoked.json().status, 'revoked');
      const use = await t.app.inject({
        method: 'GET',
        url: '/api/v1/services',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(use.statusCode, 401);
      assert.match(errorOf(use.body).message, /revoked/);
      const again = await t.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: admin,
        payload: { name: 'ci-pipeline', role: 'viewer' },
      });
      assert.equal(again.statusCode, 201, 'a name is free again once its token is revoked');
    });

    test('a reload with problems is refused with located errors and the catalogue in force stays', async () => {
      const admin = await t.bearer('admin');
      const file = join(t.catalogueDir, 'services', 'payments.yaml');
      const original = await readFile(file, 'utf8');
      await writeFile(file, original.replace('team: payments-core', 'team: payments-crew'));
      const refused = await t.app.inject({ method: 'POST', url: '/api/v1/catalogue/reload', headers: admin });
      assert.equal(refused.statusCode, 422);
      const error = errorOf(refused.body);
      assert.equal(error.code, 'SRE_CATALOGUE_INVALID');
      const detail = error.details?.[0];
      assert.match(detail?.file ?? '', /services\/payments\.yaml$/);
      assert.ok((detail?.line ?? 0) > 0);
      assert.match(detail?.message ?? '', /unknown team "payments-crew"/);
      const viewer = await t.bearer('viewer');
      const still = await t.app.inject({ method: 'GET', url: '/api/v1/services', headers: viewer });
      assert.equal(still.json().items.length, 15);
      assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);

      await writeFile(file, original.replace(/description: /, 'description: Now with a changed description. '));
      const accepted = await t.app.inject({ method: 'POST', url: '/api/v1/catalogue/reload', headers: admin });
      assert.equal(accepted.statusCode, 200);
      assert.equal(accepted.json().loadedBy.startsWith('token:admin-'), true);
      const loads = await t.testStore.store.db
        .selectFrom('catalogue_loads')
        .select(['outcome', 'actor'])
        .orderBy('loaded_at')
        .execute();
      assert.deepEqual(
        loads.map((load) => load.outcome),
        ['loaded', 'refused', 'loaded'],
      );
    });

    test('echoes a caller request id and makes one otherwise', async () => {
      const given = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
      assert.equal(given.headers['x-request-id'], 'trace-123');
      const made = await t.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': 'bad id with spaces' },
      });
      assert.match(String(made.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });
  });
}
