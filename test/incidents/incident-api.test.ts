import assert from 'node:assert/strict';
import { after, describe, type TestContext, test } from 'node:test';
import type { StoreDialect } from '../../src/store/index.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { buildTestApp, clientOf, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-store.js';

after(stopSharedPostgres);

async function testApp(t: TestContext, dialect: StoreDialect): Promise<TestApp> {
  const app = await buildTestApp(dialect);
  t.after(() => app.cleanup());
  return app;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: incident API`, () => {
    test('takes an incident from declaration to closure, recording each step with its actor', async (t) => {
      const app = await testApp(t, dialect);
      const responder = clientOf(app, await app.bearer('responder', 'alice'));
      const declared = await responder.post('/api/v1/incidents', {
        title: 'Faster payments rejected',
        services: ['faster-payments-hub'],
        occurredAt: '2026-11-27T09:40:00Z',
        awareAt: '2026-11-27T09:55:00Z',
      });
      assert.equal(declared.statusCode, 201);
      const incident = declared.json();
      assert.equal(incident.id, 'INC-1');
      // Tier 1 and supporting an important business service: SEV1 when no severity is given.
      assert.equal(incident.severity, 'SEV1');
      assert.deepEqual(incident.timestamps.occurred, { at: '2026-11-27T09:40:00.000Z', by: 'token:alice' });
      assert.deepEqual(incident.importantBusinessServices, ['send-a-faster-payment', 'settle-merchant-funds']);

      assert.equal((await responder.post('/api/v1/incidents/INC-1/acknowledge')).statusCode, 200);
      const again = await responder.post('/api/v1/incidents/INC-1/acknowledge');
      assert.equal(again.statusCode, 409);
      assert.match(again.json().error.message, /already acknowledged by token:alice/);

      const assigned = await responder.post('/api/v1/incidents/INC-1/assign', { role: 'commander', assignee: 'bob' });
      assert.equal(assigned.json().roles.commander.assignee, 'bob');
      const updated = await responder.post('/api/v1/incidents/INC-1/update', {
        message: 'Scheme connection dropped; failing over to the secondary gateway',
        status: 'identified',
        severity: 'SEV2',
      });
      assert.equal(updated.json().status, 'identified');
      assert.equal(updated.json().severity, 'SEV2');
      const mitigated = await responder.post('/api/v1/incidents/INC-1/timestamps', {
        timestamp: 'mitigated',
        at: '2026-11-27T09:58:00Z',
      });
      assert.equal(mitigated.json().timestamps.mitigated.at, '2026-11-27T09:58:00.000Z');
      const linked = await responder.post('/api/v1/incidents/INC-1/links', {
        kind: 'change',
        target: 'CHG-42',
        relation: 'candidate-cause',
      });
      assert.deepEqual(linked.json().links[0].target, 'CHG-42');

      assert.equal((await responder.post('/api/v1/incidents/INC-1/close')).statusCode, 409);
      const resolved = await responder.post('/api/v1/incidents/INC-1/resolve', { message: 'Payments flowing again' });
      assert.equal(resolved.json().status, 'resolved');
      assert.equal(resolved.json().services[0].restoredAt, '2026-11-27T10:00:00.000Z');
      assert.equal((await responder.post('/api/v1/incidents/INC-1/resolve')).statusCode, 409);
      assert.equal((await responder.post('/api/v1/incidents/INC-1/close')).json().status, 'closed');
      assert.equal((await responder.post('/api/v1/incidents/INC-1/update', { message: 'too late' })).statusCode, 409);

      const timeline = (await responder.get('/api/v1/incidents/INC-1/timeline')).json().items;
      assert.deepEqual(
        timeline.map((event: { type: string }) => event.type),
        [
          'incident.declared',
          'incident.acknowledged',
          'incident.role_assigned',
          'incident.severity_changed',
          'incident.updated',
          'incident.timestamp_recorded',
          'incident.linked',
          'incident.resolved',
          'incident.closed',
        ],
      );
      assert.ok(timeline.every((event: { actor: string }) => event.actor === 'token:alice'));

      const open = (await responder.get('/api/v1/incidents?status=open')).json().items;
      assert.equal(open.length, 0);
      const closed = (await responder.get('/api/v1/incidents?status=closed&service=faster-payments-hub')).json().items;
      assert.equal(closed.length, 1);
    });

    test('refuses what it cannot do with a clear error: unknown services, future times, wrong roles', async (t) => {
      const app = await testApp(t, dialect);
      const responder = clientOf(app, await app.bearer('responder'));
      const unknown = await responder.post('/api/v1/incidents', {
        title: 'x',
        services: ['card-payments-gateway', 'nope'],
      });
      assert.equal(unknown.statusCode, 400);
      assert.deepEqual(unknown.json().error.details, [
        { path: 'services[1]', message: 'no service "nope" in the catalogue' },
      ]);
      const future = await responder.post('/api/v1/incidents', {
        title: 'x',
        services: ['core-ledger'],
        awareAt: '2026-11-28T10:00:00Z',
      });
      assert.equal(future.statusCode, 400);
      assert.equal((await responder.post('/api/v1/incidents', { services: ['core-ledger'] })).statusCode, 400);
      assert.equal((await responder.get('/api/v1/incidents/INC-7')).statusCode, 404);
      assert.equal((await responder.get('/api/v1/incidents/7')).statusCode, 400);
      const viewer = clientOf(app, await app.bearer('viewer'));
      assert.equal((await viewer.post('/api/v1/incidents', { title: 'x', services: ['core-ledger'] })).statusCode, 403);
      assert.equal((await viewer.get('/api/v1/incidents')).statusCode, 200);
    });

    test('reads the clocks from classification, awareness and submitted reports', async (t) => {
      const app = await testApp(t, dialect);
      const responder = clientOf(app, await app.bearer('responder'));
      // Friday 27 November 2026, 10:00 UTC.
      await responder.post('/api/v1/incidents', {
        title: 'Card authorisations failing',
        services: ['card-payments-gateway'],
        occurredAt: '2026-11-27T08:30:00Z',
        awareAt: '2026-11-27T09:00:00Z',
      });
      const before = (await responder.get('/api/v1/incidents/INC-1/clocks')).json();
      const byKey = (clocks: Array<{ regime: string; report: string; status: string; dueAt?: string }>) =>
        new Map(clocks.map((clock) => [`${clock.regime}/${clock.report}`, clock]));
      assert.equal(byKey(before.clocks).get('dora/initial')?.status, 'not-applicable');
      // make-a-card-payment has a 2-hour impact tolerance: breached after 10:30.
      const tolerance = before.clocks.find((clock: { regime: string }) => clock.regime === 'uk-impact-tolerance');
      assert.equal(tolerance.dueAt, '2026-11-27T10:30:00.000Z');
      assert.equal(tolerance.status, 'at-risk');

      const classified = await responder.post('/api/v1/incidents/INC-1/classification', {
        classifiedAt: '2026-11-27T09:30:00Z',
        regimes: { doraMajor: true },
      });
      assert.equal(classified.statusCode, 200);
      const after = byKey((await responder.get('/api/v1/incidents/INC-1/clocks')).json().clocks);
      // The earlier of classification + 4 h and awareness + 24 h.
      assert.equal(after.get('dora/initial')?.dueAt, '2026-11-27T13:30:00.000Z');
      assert.equal(after.get('dora/intermediate')?.status, 'awaiting-anchor');

      const submitted = await responder.post('/api/v1/incidents/INC-1/reports', {
        regime: 'dora',
        report: 'initial',
        submittedAt: '2026-11-27T09:50:00Z',
        reference: 'CA-2026-0193',
      });
      assert.equal(submitted.statusCode, 201);
      const moved = byKey((await responder.get('/api/v1/incidents/INC-1/clocks')).json().clocks);
      assert.equal(moved.get('dora/initial')?.status, 'met');
      assert.equal(moved.get('dora/intermediate')?.status, 'pending');
      assert.ok(moved.get('dora/intermediate')?.dueAt !== undefined);
      const bad = await responder.post('/api/v1/incidents/INC-1/reports', { regime: 'dora', report: 'early-warning' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.details[0].message, /initial, intermediate, final/);
    });

    test('assesses DORA inputs into a major classification, explains it, and drafts the reports', async (t) => {
      const app = await testApp(t, dialect);
      const responder = clientOf(app, await app.bearer('responder'));
      await responder.post('/api/v1/incidents', {
        title: 'Card authorisations failing',
        services: ['card-payments-gateway'],
        occurredAt: '2026-11-27T06:00:00Z',
        awareAt: '2026-11-27T06:20:00Z',
        summary: 'Authorisations time out at the card scheme gateway.',
      });
      const classified = await responder.post('/api/v1/incidents/INC-1/classification', {
        classifiedAt: '2026-11-27T07:00:00Z',
        dora: {
          criticalServices: { criticalOrImportantFunctions: true },
          clients: { affected: { value: 120_000, estimate: true } },
          cifDowntimeMinutes: { value: 150 },
        },
        rootCause: 'expired scheme certificate',
      });
      assert.equal(classified.statusCode, 200, classified.body);
      const classification = classified.json().classification;
      assert.equal(classification.regimes.doraMajor, true);
      assert.equal(classification.dora.assessment.major, true);
      assert.equal(classification.dora.assessment.estimatesUsed, true);
      const reasons = classification.dora.assessment.criteria.flatMap((c: { reasons: string[] }) => c.reasons);
      assert.ok(
        reasons.some((reason: string) => /120,000 clients affected \(estimate\), above 100,000/.test(reason)),
        reasons.join('; '),
      );

      const badInputs = await responder.post('/api/v1/incidents/INC-1/classification', {
        dora: { criticalServices: {}, clients: { affected: { value: -1 } } },
      });
      assert.equal(badInputs.statusCode, 400);

      const review = await responder.get('/api/v1/incidents/INC-1/report');
      assert.equal(review.statusCode, 200);
      assert.match(String(review.headers['content-type']), /text\/markdown/);
      assert.match(review.body, /INC-1/);
      assert.match(review.body, /Contributing factors/);
      const initial = await responder.get('/api/v1/incidents/INC-1/report?kind=dora-initial&format=json');
      assert.equal(initial.statusCode, 200);
      const draft = initial.json();
      assert.match(draft.markdown, /2\.2/);
      assert.match(draft.markdown, /2026-11-27T06:20:00/);
      assert.ok(Array.isArray(draft.missing));
    });

    test('a DORA draft needs DORA inputs; a second non-major incident with the same root cause is assessed with the first', async (t) => {
      const app = await testApp(t, dialect);
      const responder = clientOf(app, await app.bearer('responder'));
      for (const title of ['First card outage', 'Second card outage']) {
        await responder.post('/api/v1/incidents', { title, services: ['card-payments-gateway'] });
      }
      assert.equal((await responder.get('/api/v1/incidents/INC-1/report?kind=dora-final')).statusCode, 409);
      const inputs = {
        criticalServices: { criticalOrImportantFunctions: true },
        clients: { affected: { value: 60_000 } },
        economic: { costsAndLossesEur: { value: 60_000 } },
      };
      const first = await responder.post('/api/v1/incidents/INC-1/classification', {
        dora: inputs,
        rootCause: 'database failover misconfigured',
      });
      assert.equal(first.json().classification.regimes.doraMajor, false);
      const second = await responder.post('/api/v1/incidents/INC-2/classification', {
        dora: inputs,
        rootCause: 'database failover misconfigured',
      });
      const recurring = second.json().classification.dora.recurring;
      // Together: 120,000 clients and EUR 120,000 of costs, two criteria, so the pair counts as one major incident.
      assert.deepEqual(recurring.incidentIds, ['INC-1', 'INC-2']);
      assert.equal(recurring.major, true);
    });
  });
}
