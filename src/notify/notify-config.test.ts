import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_PAGER_DUTY_URL, deliveryPolicyOf, NotificationsConfigSchema } from './notify-config.js';

const ROUTING_KEY = 'R0123456789abcdefghijklmnopqrstu';

function issuesOf(input: unknown): ReadonlyArray<{ readonly path: string; readonly message: string }> {
  const parsed = NotificationsConfigSchema.safeParse(input);
  assert.equal(parsed.success, false, 'expected the configuration to be refused');
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

describe('NotificationsConfigSchema', () => {
  test('an empty configuration sends nothing and has the default delivery settings', () => {
    const config = NotificationsConfigSchema.parse({});
    assert.deepEqual(config, {
      channels: {},
      routes: [],
      delivery: { maxAttempts: 8, initialBackoff: '10s', maxBackoff: '15m', timeout: '10s' },
    });
    assert.deepEqual(deliveryPolicyOf(config), {
      maxAttempts: 8,
      initialBackoffMs: 10_000,
      maxBackoffMs: 900_000,
      timeoutMs: 10_000,
    });
  });

  test('reads every kind of channel; PagerDuty defaults to the US endpoint', () => {
    const config = NotificationsConfigSchema.parse({
      channels: {
        audit: { kind: 'webhook', url: 'https://audit.example/hook', secret: 'sixteen-chars-at-least' },
        'payments-slack': { kind: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x' },
        payments_teams: { kind: 'teams', url: 'https://example.logic.azure.com/workflows/x' },
        paging: { kind: 'pagerduty', routingKey: ROUTING_KEY },
      },
      routes: [{ severities: ['SEV1'], channels: ['paging', 'audit'] }],
      delivery: { maxAttempts: 3, initialBackoff: '1s', maxBackoff: '1m', timeout: '5s' },
    });
    assert.deepEqual(config.channels.paging, {
      kind: 'pagerduty',
      routingKey: ROUTING_KEY,
      url: DEFAULT_PAGER_DUTY_URL,
    });
    assert.deepEqual(deliveryPolicyOf(config), {
      maxAttempts: 3,
      initialBackoffMs: 1_000,
      maxBackoffMs: 60_000,
      timeoutMs: 5_000,
    });
  });

  test('a route naming a channel that is not configured is refused at its position', () => {
    const issues = issuesOf({
      channels: { paging: { kind: 'pagerduty', routingKey: ROUTING_KEY } },
      routes: [{ channels: ['paging'] }, { team: 'payments', channels: ['paging', 'payments-slack'] }],
    });
    assert.deepEqual(
      issues.map((issue) => issue.path),
      ['routes.1.channels.1'],
    );
    assert.match(issues[0]?.message ?? '', /"payments-slack", which is not configured \(configured: paging\)/);
  });

  test('lists every problem with its path', () => {
    const issues = issuesOf({
      channels: {
        Bad: { kind: 'slack', url: 'https://hooks.slack.com/services/x' },
        hook: { kind: 'webhook', url: 'ftp://example/hook', secret: 'short' },
        paging: { kind: 'pagerduty', routingKey: 'too-short' },
        mail: { kind: 'email', to: 'oncall@example.com' },
      },
      routes: [{ severities: ['SEV5'], channels: [] }],
      delivery: { maxAttempts: 0, initialBackoff: '10 seconds', timeout: '1h' },
    });
    const paths = issues.map((issue) => issue.path).sort();
    assert.deepEqual(paths, [
      'channels.Bad',
      'channels.hook.secret',
      'channels.hook.url',
      'channels.mail.kind',
      'channels.paging.routingKey',
      'delivery.initialBackoff',
      'delivery.maxAttempts',
      'delivery.timeout',
      'routes.0.channels',
      'routes.0.severities.0',
    ]);
  });

  test('maxBackoff may not be shorter than initialBackoff', () => {
    const issues = issuesOf({ delivery: { initialBackoff: '5m', maxBackoff: '1m' } });
    assert.deepEqual(issues, [{ path: 'delivery.maxBackoff', message: 'must be at least initialBackoff' }]);
  });
});
