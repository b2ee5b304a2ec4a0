import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { transitionsOf } from './alert-transitions.js';
import type { AlertStatus, ReceivedAlert, RecordedAlert } from './types.js';

function alert(fingerprint: string, status: AlertStatus, startsAt: string): ReceivedAlert {
  return {
    fingerprint,
    status,
    labels: { alertname: fingerprint },
    annotations: {},
    startsAt,
    endsAt: undefined,
    generatorUrl: undefined,
  };
}

function recorded(fingerprint: string, status: AlertStatus, startsAt: string): [string, RecordedAlert] {
  return [fingerprint, { fingerprint, status, startsAt, service: undefined, incidentId: undefined }];
}

const T0 = '2026-11-27T10:00:00.000Z';
const T1 = '2026-11-27T11:00:00.000Z';

describe('transitionsOf', () => {
  test('a new firing alert fires; the same notification again is only repeats', () => {
    const first = transitionsOf(new Map(), [alert('a', 'firing', T0), alert('b', 'firing', T0)]);
    assert.deepEqual(
      first.transitions.map((t) => [t.kind, t.alert.fingerprint]),
      [
        ['fired', 'a'],
        ['fired', 'b'],
      ],
    );
    const again = transitionsOf(new Map([recorded('a', 'firing', T0), recorded('b', 'firing', T0)]), [
      alert('a', 'firing', T0),
      alert('b', 'firing', T0),
    ]);
    assert.deepEqual(again, { transitions: [], repeats: 2 });
  });

  test('resolves only the episode recorded as firing, once', () => {
    const state = new Map([recorded('a', 'firing', T1)]);
    assert.equal(transitionsOf(state, [alert('a', 'resolved', T1)]).transitions[0]?.kind, 'resolved');
    assert.deepEqual(transitionsOf(state, [alert('a', 'resolved', T0)]), { transitions: [], repeats: 1 });
    const resolved = new Map([recorded('a', 'resolved', T1)]);
    assert.deepEqual(transitionsOf(resolved, [alert('a', 'resolved', T1)]), { transitions: [], repeats: 1 });
    assert.deepEqual(transitionsOf(new Map(), [alert('a', 'resolved', T1)]), { transitions: [], repeats: 1 });
  });

  test('a late firing copy of a resolved episode is ignored; a later episode fires again', () => {
    const resolved = new Map([recorded('a', 'resolved', T0)]);
    assert.deepEqual(transitionsOf(resolved, [alert('a', 'firing', T0)]), { transitions: [], repeats: 1 });
    assert.equal(transitionsOf(resolved, [alert('a', 'firing', T1)]).transitions[0]?.kind, 'fired');
  });

  test('takes repeated alerts within one delivery in order', () => {
    const result = transitionsOf(new Map(), [
      alert('a', 'firing', T0),
      alert('a', 'firing', T0),
      alert('a', 'resolved', T0),
      alert('a', 'resolved', T0),
    ]);
    assert.deepEqual(
      result.transitions.map((t) => t.kind),
      ['fired', 'resolved'],
    );
    assert.equal(result.repeats, 2);
  });

  test('any delivery repeated, in whole or in part, adds no transition (property)', () => {
    const delivery = fc.array(
      fc.record({
        fingerprint: fc.constantFrom('a', 'b', 'c'),
        status: fc.constantFrom<AlertStatus>('firing', 'resolved'),
        startsAt: fc.constantFrom(T0, T1),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(delivery, fc.nat(), (alerts, cut) => {
        const received = alerts.map((a) => alert(a.fingerprint, a.status, a.startsAt));
        const first = transitionsOf(new Map(), received);
        const state = new Map<string, RecordedAlert>();
        for (const transition of first.transitions) {
          const { fingerprint, startsAt } = transition.alert;
          state.set(fingerprint, {
            fingerprint,
            status: transition.kind === 'fired' ? 'firing' : 'resolved',
            startsAt,
            service: undefined,
            incidentId: undefined,
          });
        }
        const suffix = received.slice(received.length === 0 ? 0 : cut % received.length);
        const lastOfEach = new Map(suffix.map((a) => [a.fingerprint, a]));
        // Re-sending the final state of each alert is always a repeat.
        return transitionsOf(state, [...lastOfEach.values()]).transitions.length === 0;
      }),
    );
  });
});
