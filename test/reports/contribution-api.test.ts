import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkContribution } from '../../src/reports/contribution-checks.js';
import { runInProcess } from '../support/cli-runner.js';
import { buildTestApp, clientOf, EXAMPLE_CATALOGUE } from '../support/test-app.js';

test('contributions from live data over HTTP and the CLI pass every check and end with the sign-off', async (t) => {
  const app = await buildTestApp('sqlite');
  t.after(() => app.cleanup());
  app.clock.set('2026-12-08T10:00:00Z');
  const responder = clientOf(app, await app.bearer('responder'));
  await responder.post('/api/v1/incidents', { title: 'Postings delayed', services: ['core-ledger'] });
  await responder.post('/api/v1/incidents/INC-1/classification', { regimes: { doraMajor: true } });
  const engineer = clientOf(app, await app.bearer('engineer', 'aisha.khan'));
  await engineer.post('/api/v1/changes', {
    type: 'normal',
    title: 'Raise the ledger connection pool',
    description: 'From 40 to 60 connections.',
    reason: 'Pool exhaustion at month end.',
    services: ['core-ledger'],
    implementer: 'hannah.lewis',
    plannedWindow: { start: '2026-12-09T10:00:00Z', end: '2026-12-09T11:00:00Z' },
    securityImpact: 'None.',
    testEvidence: 'Load test at 1.5 times month-end peak.',
    rollbackPlan: 'Revert the configuration.',
  });
  await engineer.post('/api/v1/changes/CHG-1/submit');

  const viewer = clientOf(app, await app.bearer('viewer'));
  for (const [kind, id] of [
    ['service', 'core-ledger'],
    ['ibs', 'settle-merchant-funds'],
    ['change', 'CHG-1'],
    ['incident', 'INC-1'],
  ] as const) {
    const response = await viewer.post('/api/v1/contributions', { kind, id });
    assert.equal(response.statusCode, 200, `${kind} ${id}: ${response.body}`);
    assert.match(String(response.headers['content-type']), /text\/markdown/);
    assert.equal(response.body.trimEnd().split('\n').at(-1), 'agent sre complete');
    assert.deepEqual(checkContribution(response.body, kind), [], `${kind} ${id}`);
  }
  const json = await viewer.post('/api/v1/contributions', { kind: 'service', id: 'core-ledger', format: 'json' });
  assert.equal(json.json().signOff, 'agent sre complete');
  assert.equal((await viewer.post('/api/v1/contributions', { kind: 'service', id: 'nope' })).statusCode, 404);
  assert.equal((await viewer.post('/api/v1/contributions', { kind: 'team', id: 'x' })).statusCode, 400);

  const dir = await mkdtemp(join(tmpdir(), 'sre-contribute-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cli = await runInProcess(['contribute', 'ibs', 'make-a-card-payment', '--data-dir', dir], {
    SRE_AGENT_CATALOGUE: EXAMPLE_CATALOGUE,
  });
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(checkContribution(cli.stdout, 'ibs'), []);
});
