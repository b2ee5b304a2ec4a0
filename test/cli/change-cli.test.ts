import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runInProcess } from '../support/cli-runner.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { buildTestApp, EXAMPLE_CATALOGUE } from '../support/test-app.js';

after(stopSharedPostgres);

const merchantChange = {
  type: 'normal',
  title: 'Upgrade the merchant portal web framework',
  description: 'Move to the supported major version.',
  reason: 'The current version leaves security support next month.',
  services: ['merchant-portal'],
  implementer: 'ella.morgan',
  plannedWindow: { start: '2099-01-06T10:00:00Z', end: '2099-01-06T12:00:00Z' },
  securityImpact: 'Closes two published advisories.',
  testEvidence: 'Full regression suite green on staging.',
  rollbackPlan: 'Redeploy the previous image.',
};

describe('sre-agent change and gate check', () => {
  test('gate check exits 0 allow, 1 deny, 3 hold and 4 without a verdict; export lists the population', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'sre-change-cli-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const env = { SRE_AGENT_CATALOGUE: EXAMPLE_CATALOGUE };
    const run = (argv: ReadonlyArray<string>) => runInProcess([...argv, '--data-dir', dir], env);

    // A tier 3 service needs no change; tier 1 does.
    const allow = await run(['gate', 'check', '--service', 'merchant-portal']);
    assert.equal(allow.code, 0, allow.stderr);
    assert.match(allow.stdout, /^ALLOW merchant-portal/);
    const deny = await run(['gate', 'check', '--service', 'card-payments-gateway']);
    assert.equal(deny.code, 1);
    assert.match(deny.stdout, /change-required/);
    const unknown = await run(['gate', 'check', '--service', 'no-such-service']);
    assert.equal(unknown.code, 4);
    assert.match(unknown.stderr, /no service "no-such-service"/);

    const file = join(dir, 'change.yaml');
    await writeFile(file, JSON.stringify(merchantChange));
    const created = await run(['change', 'create', '--file', file]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^CHG-1 normal change, draft/);
    const submitted = await run(['change', 'submit', 'CHG-1']);
    assert.match(submitted.stdout, /risk: (low|medium|high|critical)/);
    const hold = await run(['gate', 'check', '--service', 'merchant-portal', '--change', 'CHG-1']);
    assert.equal(hold.code, 3, hold.stdout);
    // The CLI acts as the local user, who raised the change and so may not approve it.
    const selfApproval = await run(['change', 'approve', 'CHG-1']);
    assert.equal(selfApproval.code, 1);
    assert.match(selfApproval.stderr, /cannot approve it/);

    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'type: normal\ntitle: ""\n');
    const refused = await run(['change', 'create', '--file', bad]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /not a valid change request/);

    const exported = await run(['change', 'export', '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z']);
    assert.equal(exported.code, 0, exported.stderr);
    const [header, row] = exported.stdout.trim().split('\n');
    assert.match(header ?? '', /^id,type,status,title,services,requester,implementer,risk,/);
    assert.match(
      row ?? '',
      /^CHG-1,normal,submitted,Upgrade the merchant portal web framework,merchant-portal,local:tester,ella\.morgan,/,
    );
    assert.match(row ?? '', /hold@/);

    const metrics = await run(['change', 'metrics', '--by', 'service']);
    assert.equal(metrics.code, 0, metrics.stderr);
    assert.match(metrics.stdout, /^Four keys from .* \(.*2024.*\)\n/);
  });

  test('gate check --server asks a running sre-agent with a token', async (t) => {
    const app = await buildTestApp('sqlite');
    t.after(() => app.cleanup());
    app.clock.set('2026-12-08T10:00:00Z');
    const address = await app.app.listen({ host: '127.0.0.1', port: 0 });
    const token = (await app.bearer('viewer', 'pipeline')).authorization.replace('Bearer ', '');
    const asked = await runInProcess(['gate', 'check', '--service', 'merchant-portal', '--server', address, '--json'], {
      SRE_AGENT_TOKEN: token,
    });
    assert.equal(asked.code, 0, asked.stderr);
    assert.equal(JSON.parse(asked.stdout).decision, 'allow');
    const wrong = await runInProcess([
      'gate',
      'check',
      '--service',
      'merchant-portal',
      '--server',
      address,
      '--token',
      'sre_nope',
    ]);
    assert.equal(wrong.code, 4);
    assert.match(wrong.stderr, /HTTP 401/);
  });
});
