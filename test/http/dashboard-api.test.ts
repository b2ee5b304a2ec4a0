import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { buildTestApp, clientOf } from '../support/test-app.js';
import { DIALECTS } from '../support/test-store.js';

after(stopSharedPostgres);

const change = {
  type: 'normal',
  title: 'Rotate the card scheme TLS certificate',
  description: 'Replace the certificate presented to the card scheme.',
  reason: 'The current certificate expires on 14 December 2026.',
  services: ['card-payments-gateway'],
  implementer: 'liam.oconnor',
  plannedWindow: { start: '2026-12-08T09:00:00Z', end: '2026-12-08T12:00:00Z' },
  securityImpact: 'None.',
  testEvidence: 'Tested in certification.',
  rollbackPlan: 'Re-install the previous certificate.',
};

for (const dialect of DIALECTS) {
  describe(`${dialect}: what the dashboard asks of the API`, () => {
    test('GET /api/v1/me names the caller, its role and what the role may do', async (t) => {
      const app = await buildTestApp(dialect);
      t.after(() => app.cleanup());
      const viewer = clientOf(app, await app.bearer('viewer', 'victor'));
      const me = await viewer.get('/api/v1/me');
      assert.equal(me.statusCode, 200);
      assert.deepEqual(me.json(), {
        actor: 'token:victor',
        name: 'victor',
        role: 'viewer',
        permissions: ['catalogue:read', 'slo:read', 'alerts:read', 'incidents:read', 'changes:read', 'gate:check'],
      });
      const approver = (await clientOf(app, await app.bearer('approver', 'tom')).get('/api/v1/me')).json();
      assert.ok(approver.permissions.includes('changes:approve'));
      assert.equal((await app.app.inject({ url: '/api/v1/me' })).statusCode, 401);
    });

    test('GET /api/v1/changes/:id/verdicts lists every gate verdict with reasons and ledger index', async (t) => {
      const app = await buildTestApp(dialect);
      t.after(() => app.cleanup());
      const engineer = clientOf(app, await app.bearer('engineer', 'aisha'));
      const viewer = clientOf(app, await app.bearer('viewer', 'victor'));
      assert.equal((await engineer.post('/api/v1/changes', change)).statusCode, 201);
      assert.deepEqual((await viewer.get('/api/v1/changes/CHG-1/verdicts')).json(), { items: [] });

      const first = (await viewer.get('/api/v1/gate?service=card-payments-gateway&change=CHG-1')).json();
      const second = (await viewer.get('/api/v1/gate?service=card-payments-gateway&change=CHG-1')).json();
      const listed = await viewer.get('/api/v1/changes/CHG-1/verdicts');
      assert.equal(listed.statusCode, 200);
      const items: Array<{ decision: string; ledgerIndex: string; actor: string; reasons: unknown[]; source: string }> =
        listed.json().items;
      assert.deepEqual(
        items.map((item) => item.ledgerIndex),
        [first.ledgerIndex, second.ledgerIndex],
      );
      assert.equal(items[0]?.decision, first.decision);
      assert.deepEqual(items[0]?.reasons, first.reasons);
      assert.equal(items[0]?.actor, 'token:victor');
      assert.equal(items[0]?.source, 'api');

      const missing = await viewer.get('/api/v1/changes/CHG-99/verdicts');
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().error.code, 'SRE_NOT_FOUND');
      assert.equal((await viewer.get('/api/v1/changes/nonsense/verdicts')).statusCode, 400);
    });
  });
}

describe('the dashboard files', () => {
  test('are served at / with a content policy that allows only this server, and nothing else is', async (t) => {
    // Installed under a folder named assets, to show that only the dashboard's own assets are cached for a year.
    const parent = await mkdtemp(join(tmpdir(), 'sre-dashboard-'));
    t.after(() => rm(parent, { recursive: true, force: true }));
    const directory = join(parent, 'assets', 'web');
    await mkdir(join(directory, 'assets'), { recursive: true });
    await writeFile(join(parent, 'assets', 'secret.txt'), 'not for the web');
    await writeFile(join(directory, 'index.html'), '<!doctype html><title>sre-agent</title>');
    await writeFile(join(directory, 'assets', 'index-abc123.js'), 'console.log(1);');
    const app = await buildTestApp('sqlite', {}, { dashboardDirectory: directory });
    t.after(() => app.cleanup());

    const page = await app.app.inject({ url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.equal(page.headers['cache-control'], 'no-cache');
    const policy = String(page.headers['content-security-policy']);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ]) {
      assert.ok(policy.includes(directive), policy);
    }
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');

    const script = await app.app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(script.statusCode, 200);
    assert.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable');

    const missing = await app.app.inject({ url: '/assets/nothing.js' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'SRE_NOT_FOUND');
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const escaped = await app.app.inject({ url });
      assert.ok(escaped.statusCode >= 400 && escaped.statusCode < 500, `${url}: ${escaped.statusCode}`);
      assert.ok(!escaped.body.includes('not for the web'), url);
    }
    assert.equal((await app.app.inject({ url: '/api/v1/services' })).statusCode, 401, 'the API still wants a token');
  });
});

describe('a POST without a body', () => {
  test('is an empty object: an action runs, and a route that needs fields names the first one missing', async (t) => {
    const app = await buildTestApp('sqlite');
    t.after(() => app.cleanup());
    const engineer = clientOf(app, await app.bearer('engineer', 'aisha'));
    assert.equal((await engineer.post('/api/v1/changes', change)).statusCode, 201);
    const { authorization } = await app.bearer('engineer', 'aisha-cli');
    const submit = await app.app.inject({
      method: 'POST',
      url: '/api/v1/changes/CHG-1/submit',
      headers: { authorization },
    });
    assert.equal(submit.statusCode, 200, submit.body);
    assert.equal(submit.json().status, 'submitted');

    const declare = await app.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: { authorization } });
    assert.equal(declare.statusCode, 400);
    assert.match(declare.json().error.message, /\$\.title/);
  });
});
