import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyReply, parseRetryAfter } from './http-post.js';

const NOW = new Date('2026-03-02T10:00:00.000Z');
const DESCRIBED = 'webhook channel "audit"';

function reply(status: number, headers: Record<string, string> = {}) {
  return { status, headers: new Headers(headers), body: '' };
}

describe('parseRetryAfter', () => {
  test('reads delay-seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('120', NOW), 120_000);
    assert.equal(parseRetryAfter(' 0 ', NOW), 0);
    assert.equal(parseRetryAfter('Mon, 02 Mar 2026 10:00:30 GMT', NOW), 30_000);
    assert.equal(parseRetryAfter('Mon, 02 Mar 2026 09:00:00 GMT', NOW), 0);
  });

  test('ignores anything else', () => {
    for (const value of [null, '', '-1', '1.5', 'soon', '2026-03-02T10:00:30Z', '99999999999']) {
      assert.equal(parseRetryAfter(value, NOW), undefined, String(value));
    }
  });
});

describe('classifyReply', () => {
  test('2xx is delivered', () => {
    for (const status of [200, 202, 204])
      assert.deepEqual(classifyReply(reply(status), DESCRIBED, NOW), { outcome: 'delivered' });
  });

  test('408, 429 and 5xx are retried, after Retry-After when given', () => {
    assert.deepEqual(classifyReply(reply(429, { 'retry-after': '7' }), DESCRIBED, NOW), {
      outcome: 'retry',
      reason: 'webhook channel "audit" answered HTTP 429',
      retryAfterMs: 7_000,
    });
    for (const status of [408, 500, 502, 503, 504]) {
      assert.deepEqual(classifyReply(reply(status), DESCRIBED, NOW), {
        outcome: 'retry',
        reason: `webhook channel "audit" answered HTTP ${status}`,
      });
    }
  });

  test('other answers fail for good', () => {
    assert.deepEqual(classifyReply(reply(400), DESCRIBED, NOW, ' (invalid_payload)'), {
      outcome: 'failed',
      reason: 'webhook channel "audit" answered HTTP 400 (invalid_payload)',
    });
    assert.deepEqual(classifyReply(reply(302, { location: 'https://elsewhere.example/' }), DESCRIBED, NOW), {
      outcome: 'failed',
      reason: 'webhook channel "audit" answered HTTP 302; redirects are not followed',
    });
    for (const status of [401, 403, 404, 410, 413])
      assert.equal(classifyReply(reply(status), DESCRIBED, NOW).outcome, 'failed');
  });
});
