import assert from 'node:assert/strict';
import { after, describe, type TestContext, test } from 'node:test';
import { systemPrincipal } from '../../src/auth/index.js';
import type { StoreDialect } from '../../src/store/index.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { buildTestApp, clientOf, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-store.js';

after(stopSharedPostgres);

/** Tuesday 8 December 2026, 10:00 UTC: outside every freeze window of the example catalogue. */
const TUESDAY = '2026-12-08T10:00:00Z';

async function testApp(t: TestContext, dialect: StoreDialect): Promise<TestApp> {
  const app = await buildTestApp(dialect);
  app.clock.set(TUESDAY);
  t.after(() => app.cleanup());
  return app;
}

const gatewayChange = {
  type: 'normal',
  title: 'Rotate the card scheme TLS certificate',
  description: 'Replace the certificate presented to the card scheme before it expires on 14 December.',
  reason: 'The current certificate expires on 14 December 2026.',
  services: ['card-payments-gateway'],
  implementer: 'liam.oconnor',
  plannedWindow: { start: '2026-12-08T09:00:00Z', end: '2026-12-08T12:00:00Z' },
  securityImpact: 'New key pair generated in the HSM; no change to cipher suites.',
  testEvidence: 'Handshake tested against the scheme certification environment on 1 December.',
  rollbackPlan: 'Re-install the previous certificate from the HSM backup slot; 5 minutes.',
  links: [{ kind: 'ticket', url: 'https://tickets.example/SEC-1234' }],
};

async function people(app: TestApp) {
  return {
    requester: clientOf(app, await app.bearer('engineer', 'aisha.khan')),
    implementer: clientOf(app, await app.bearer('approver', 'liam.oconnor')),
    owner: clientOf(app, await app.bearer('approver', 'tom.whitfield')),
    outsider: clientOf(app, await app.bearer('approver', 'hannah.lewis')),
    viewer: clientOf(app, await app.bearer('viewer', 'victor')),
  };
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: change requests and the gate`, () => {
    test('a normal change is risk-assessed factor by factor, approved with segregation of duties, and gated', async (t) => {
      const app = await testApp(t, dialect);
      const { requester, implementer, owner, outsider, viewer } = await people(app);
      const created = await requester.post('/api/v1/changes', gatewayChange);
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().id, 'CHG-1');
      assert.equal(created.json().status, 'draft');

      const submitted = (await requester.post('/api/v1/changes/CHG-1/submit')).json();
      assert.equal(submitted.status, 'submitted');
      assert.ok(['high', 'critical'].includes(submitted.risk.level), JSON.stringify(submitted.risk));
      assert.ok(submitted.risk.factors.some((f: { explanation: string }) => /tier 1/.test(f.explanation)));
      assert.equal(submitted.requirement.fromOwningTeam, true);

      const gateBefore = (await viewer.get('/api/v1/gate?service=card-payments-gateway&change=CHG-1')).json();
      assert.equal(gateBefore.decision, 'hold');
      assert.ok(gateBefore.reasons.some((reason: { code: string }) => reason.code === 'awaiting-approval'));

      // The requester and the implementer may not approve, whatever role they hold; each refusal is recorded.
      assert.equal(
        (await requester.post('/api/v1/changes/CHG-1/approve')).statusCode,
        403,
        'approving needs the approver role',
      );
      await app.tokens.revoke(systemPrincipal('test'), 'aisha.khan');
      const selfApproval = await clientOf(app, await app.bearer('approver', 'aisha.khan')).post(
        '/api/v1/changes/CHG-1/approve',
      );
      assert.equal(selfApproval.statusCode, 403);
      assert.match(selfApproval.json().error.message, /cannot approve it/);
      assert.equal((await implementer.post('/api/v1/changes/CHG-1/approve')).statusCode, 403);
      const refusals = await app.testStore.store.db
        .selectFrom('ledger_entries')
        .select('actor')
        .where('type', '=', 'change.approval_refused')
        .execute();
      assert.deepEqual(refusals.map((row) => row.actor).sort(), ['token:aisha.khan', 'token:liam.oconnor']);

      const first = (await outsider.post('/api/v1/changes/CHG-1/approve', { comment: 'Checked the rollback' })).json();
      assert.equal(first.status, 'submitted');
      assert.ok(first.missingApprovals.some((missing: string) => /owning team/.test(missing)));
      assert.equal((await outsider.post('/api/v1/changes/CHG-1/approve')).statusCode, 409, 'one approval per person');
      const second = (await owner.post('/api/v1/changes/CHG-1/approve')).json();
      assert.equal(second.status, 'approved', JSON.stringify(second.missingApprovals));

      const allowed = (await viewer.get('/api/v1/gate?service=card-payments-gateway&change=CHG-1')).json();
      assert.equal(allowed.decision, 'allow', JSON.stringify(allowed.reasons));
      assert.match(allowed.ledgerIndex, /^\d+$/);

      // Editing an approved change voids its approvals.
      const editor = clientOf(app, await app.bearer('engineer', 'priya.natarajan'));
      const edited = (
        await editor.put('/api/v1/changes/CHG-1', { ...gatewayChange, title: 'Rotate both certificates' })
      ).json();
      assert.equal(edited.status, 'submitted');
      assert.equal(edited.approvalsSatisfied, false);
      assert.equal(
        (await viewer.get('/api/v1/gate?service=card-payments-gateway&change=CHG-1')).json().decision,
        'hold',
      );

      await outsider.post('/api/v1/changes/CHG-1/approve');
      await owner.post('/api/v1/changes/CHG-1/approve');
      assert.equal((await editor.post('/api/v1/changes/CHG-1/start')).json().status, 'implementing');
      assert.equal(
        (await editor.post('/api/v1/changes/CHG-1/complete', { outcome: 'implemented' })).json().status,
        'implemented',
      );
      assert.equal(
        (await editor.post('/api/v1/changes/CHG-1/review', { notes: 'Went to plan.' })).json().status,
        'reviewed',
      );

      const population = await app.runtime.changes.population(
        systemPrincipal('test'),
        new Date('2026-12-01T00:00:00Z'),
        new Date('2026-12-31T00:00:00Z'),
      );
      assert.equal(population.length, 1);
      assert.equal(population[0]?.approvals.filter((approval) => approval.current).length, 2);
      assert.equal(population[0]?.verdicts.length, 3);
      assert.ok((population[0]?.ledgerIndexes.length ?? 0) >= 10);
    });

    test('the gate denies in a freeze and when the error budget is exhausted, except for an emergency change', async (t) => {
      const app = await testApp(t, dialect);
      const { requester, viewer } = await people(app);
      app.clock.set('2026-11-27T10:00:00Z');
      const frozen = (await viewer.get('/api/v1/gate?service=core-ledger')).json();
      assert.equal(frozen.decision, 'deny');
      assert.ok(
        frozen.reasons.some(
          (reason: { code: string; message: string }) =>
            reason.code === 'freeze' && /black-friday-2026/.test(reason.message),
        ),
      );

      const emergency = (
        await requester.post('/api/v1/changes', {
          ...gatewayChange,
          type: 'emergency',
          services: ['core-ledger'],
          title: 'Hotfix for stuck postings',
          plannedWindow: undefined,
        })
      ).json();
      assert.equal(emergency.id, 'CHG-1');
      const started = (await requester.post('/api/v1/changes/CHG-1/start')).json();
      assert.equal(started.status, 'implementing');
      assert.equal(started.retrospectiveDueAt, '2026-11-29T10:00:00.000Z');
      const allowed = (await viewer.get('/api/v1/gate?service=core-ledger&change=CHG-1')).json();
      assert.equal(allowed.decision, 'allow', JSON.stringify(allowed.reasons));
      assert.ok(allowed.reasons.some((reason: { code: string }) => reason.code === 'emergency'));

      // Two days on, without retrospective approval, the miss is recorded once.
      app.clock.set('2026-11-29T10:01:00Z');
      assert.equal(await app.runtime.changes.recordMissedRetrospectives(), 1);
      assert.equal(await app.runtime.changes.recordMissedRetrospectives(), 0);
      const missed = (await viewer.get('/api/v1/changes/CHG-1')).json();
      assert.equal(typeof missed.retrospectiveMissedAt, 'string');
    });

    test('tier 1 needs a change; Argo gets 2xx JSON even for an unknown service; Flagger gets 200 or 403', async (t) => {
      const app = await testApp(t, dialect);
      const { viewer } = await people(app);
      const none = (await viewer.get('/api/v1/gate?service=card-payments-gateway')).json();
      assert.equal(none.decision, 'deny');
      assert.ok(none.reasons.some((reason: { code: string }) => reason.code === 'change-required'));
      const tier3 = (await viewer.get('/api/v1/gate?service=merchant-portal')).json();
      assert.equal(tier3.decision, 'allow', JSON.stringify(tier3.reasons));

      const argo = await viewer.get('/api/v1/gate/argo?service=no-such-service');
      assert.equal(argo.statusCode, 200);
      assert.equal(argo.json().decision, 'deny');
      assert.equal((await viewer.get('/api/v1/gate?service=no-such-service')).statusCode, 404);

      const gateToken = await app.tokens.createToken(systemPrincipal('test'), {
        name: 'flagger',
        role: 'integration',
        scope: 'gate',
      });
      const flagger = (hook: string, name: string, token: string = gateToken.token) =>
        app.app.inject({
          method: 'POST',
          url: `/api/v1/gate/flagger/${hook}`,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({
            name,
            namespace: 'prod',
            phase: 'Progressing',
            checksum: 'abc',
            metadata: { token },
          }),
        });
      const promote = await flagger('confirm-promotion', 'merchant-portal');
      assert.equal(promote.statusCode, 200, promote.body);
      const halted = await flagger('pre-rollout', 'card-payments-gateway');
      assert.equal(halted.statusCode, 403);
      assert.match(halted.body, /^deny: /);
      assert.equal(
        (await flagger('rollback', 'card-payments-gateway')).statusCode,
        200,
        'a deny asks Flagger to roll back',
      );
      assert.equal((await flagger('rollback', 'merchant-portal')).statusCode, 403);
      assert.equal((await flagger('confirm-rollout', 'merchant-portal', 'sre_wrong')).statusCode, 401);
    });

    test('deployments feed the four keys and are linked to the incident that follows them', async (t) => {
      const app = await testApp(t, dialect);
      const { requester } = await people(app);
      const deployed = await requester.post('/api/v1/deployments', {
        service: 'core-ledger',
        version: '4.2.0',
        commitAt: '2026-12-08T07:00:00Z',
        deployedAt: '2026-12-08T09:30:00Z',
      });
      assert.equal(deployed.statusCode, 201, deployed.body);
      await requester.post('/api/v1/deployments', {
        service: 'core-ledger',
        version: '4.1.9',
        commitAt: '2026-12-07T08:00:00Z',
        deployedAt: '2026-12-07T10:00:00Z',
        outcome: 'rolled-back',
        recoveredAt: '2026-12-07T10:20:00Z',
      });
      // card-payments-gateway depends on core-ledger: an incident on it soon after the deployment links it.
      const responder = clientOf(app, await app.bearer('responder'));
      const incident = (
        await responder.post('/api/v1/incidents', {
          title: 'Authorisations declined',
          services: ['card-payments-gateway'],
        })
      ).json();
      assert.deepEqual(
        incident.links.map((link: { kind: string; relation: string }) => `${link.kind} ${link.relation}`),
        ['deployment candidate-cause'],
      );
      const metrics = (
        await requester.get(
          '/api/v1/metrics/delivery?service=core-ledger&from=2026-12-01T00:00:00Z&to=2026-12-09T00:00:00Z',
        )
      ).json();
      const group = metrics.groups[0];
      assert.equal(group.changeFailRate.value, 0.5);
      assert.equal(metrics.bandsSource.includes('2024'), true);
    });
  });
}

describe('standard changes', () => {
  test('follow a configured pre-approved template, within its services, and are approved on submission', async (t) => {
    const app = await buildTestApp('sqlite', {
      changes: {
        standardTemplates: [
          {
            name: 'rotate-tls-certificate',
            description: 'Rotate a TLS certificate from the HSM with the documented procedure.',
            services: ['merchant-portal'],
          },
        ],
      },
    });
    app.clock.set(TUESDAY);
    t.after(() => app.cleanup());
    const requester = clientOf(app, await app.bearer('engineer', 'ella.morgan'));
    const standard = {
      ...gatewayChange,
      type: 'standard',
      services: ['merchant-portal'],
      template: 'rotate-tls-certificate',
      implementer: 'ella.morgan',
    };
    const unknown = await requester.post('/api/v1/changes', { ...standard, template: 'made-up' });
    assert.equal(unknown.statusCode, 400);
    assert.match(unknown.json().error.details[0].message, /rotate-tls-certificate/);
    const outside = await requester.post('/api/v1/changes', { ...standard, services: ['core-ledger'] });
    assert.equal(outside.statusCode, 400);
    assert.match(outside.json().error.details[0].message, /pre-approved only for merchant-portal/);
    assert.equal((await requester.post('/api/v1/changes', standard)).statusCode, 201);
    const submitted = (await requester.post('/api/v1/changes/CHG-1/submit')).json();
    assert.equal(submitted.risk.level, 'low', JSON.stringify(submitted.risk));
    assert.equal(submitted.status, 'approved');
    assert.equal(submitted.approvalsSatisfied, true);
  });
});
