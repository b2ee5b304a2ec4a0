import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { buildTestApp } from '../support/test-app.js';

const SECRET = 'a-github-webhook-secret-for-tests';

test('the GitHub route verifies the signature over the raw body before reading it', async (t) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const app = await buildTestApp('sqlite', {
    github: {
      appId: 123456,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      webhookSecret: SECRET,
      apiUrl: 'http://127.0.0.1:9',
      repositories: { 'northgate/card-payments-gateway': 'card-payments-gateway' },
    },
  });
  t.after(() => app.cleanup());
  // Spacing that a re-serialised body would lose: the signature must be checked over these exact bytes.
  const body = `{ "action": "requested",  "environment": "production",
    "deployment_callback_url": "http://127.0.0.1:9/repos/northgate/unmapped/actions/runs/42/deployment_protection_rule",
    "repository": { "full_name": "northgate/unmapped" }, "installation": { "id": 7 } }`;
  const signed = (payload: string, secret = SECRET) =>
    app.app.inject({
      method: 'POST',
      url: '/api/v1/integrations/github',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'deployment_protection_rule',
        'x-github-delivery': 'delivery-1',
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`,
      },
      payload,
    });
  assert.equal((await signed(body, 'the-wrong-secret-entirely')).statusCode, 401);
  const unmapped = await signed(body);
  assert.equal(unmapped.statusCode, 422, unmapped.body);
  assert.match(unmapped.json().message, /northgate\/unmapped/);
  // Other routes still parse JSON as usual.
  const viewer = await app.bearer('viewer');
  assert.equal((await app.app.inject({ url: '/api/v1/services/core-ledger', headers: viewer })).statusCode, 200);
});
