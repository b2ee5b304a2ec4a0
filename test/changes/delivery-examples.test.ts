import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { ChangeBody } from '../../src/changes/change-input.js';
import { REPOSITORY_ROOT } from '../support/fixtures.js';

const examples = join(REPOSITORY_ROOT, 'examples', 'delivery');

describe('delivery examples', () => {
  test('the example change request is valid input for change create and POST /api/v1/changes', () => {
    const parsed = ChangeBody.safeParse(parse(readFileSync(join(examples, 'change-request.yaml'), 'utf8')));
    assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues));
  });

  test('the Argo Rollouts template asks the gate and maps hold to inconclusive', () => {
    const [template] = parseAllDocuments(readFileSync(join(examples, 'argo-rollouts-analysis-template.yaml'), 'utf8'));
    const metric = template?.toJS().spec.metrics[0];
    assert.equal(metric.successCondition, 'result.decision == "allow"');
    assert.equal(metric.failureCondition, 'result.decision == "deny"');
    assert.match(metric.provider.web.url, /\/api\/v1\/gate\/argo\?service=/);
  });

  test('the Flagger canary calls the gate hooks with a token in the metadata', () => {
    const canary = parse(readFileSync(join(examples, 'flagger-canary-webhooks.yaml'), 'utf8'));
    const hooks: Array<{ type: string; url: string; metadata: { token: string } }> = canary.spec.analysis.webhooks;
    assert.deepEqual(
      hooks.map((hook) => hook.type),
      ['confirm-rollout', 'confirm-promotion', 'rollback'],
    );
    assert.ok(
      hooks.every((hook) => hook.url.endsWith(`/api/v1/gate/flagger/${hook.type}`) && hook.metadata.token !== ''),
    );
  });
});
