import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { REPOSITORY_ROOT } from '../../test/support/fixtures.js';
import { fingerprintOf } from './fingerprint.js';

describe('fingerprintOf', () => {
  test('matches the fingerprints Alertmanager 0.25 sent for the captured alerts', () => {
    const body = JSON.parse(
      readFileSync(join(REPOSITORY_ROOT, 'test', 'fixtures', 'alerts', 'am-webhook-example.json'), 'utf8'),
    ) as { alerts: Array<{ labels: Record<string, string>; fingerprint: string }> };
    assert.equal(body.alerts.length, 2);
    for (const alert of body.alerts) assert.equal(fingerprintOf(alert.labels), alert.fingerprint);
  });

  test('is FNV-1a 64 of the empty input for no labels, and 16 hex digits always', () => {
    assert.equal(fingerprintOf({}), 'cbf29ce484222325');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), (labels) => /^[0-9a-f]{16}$/.test(fingerprintOf(labels))),
    );
  });

  test('does not depend on the order labels were written in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (labels) => {
        const reversed = Object.fromEntries(Object.entries(labels).reverse());
        return fingerprintOf(reversed) === fingerprintOf(labels);
      }),
    );
  });

  test('agrees with a plain BigInt FNV-1a 64 over UTF-8 bytes sorted by name, for any labels', () => {
    const reference = (labels: Record<string, string>): string => {
      const encoder = new TextEncoder();
      const bytes = (text: string) => [...encoder.encode(text)];
      const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      let hash = 0xcbf29ce484222325n;
      for (const name of names) {
        for (const byte of [...bytes(name), 0xff, ...bytes(labels[name] ?? ''), 0xff]) {
          hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
        }
      }
      return hash.toString(16).padStart(16, '0');
    };
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })),
        (labels) => fingerprintOf(labels) === reference(labels),
      ),
      { numRuns: 500 },
    );
  });

  test('tells apart labels that differ only in where a name ends and its value begins', () => {
    assert.notEqual(fingerprintOf({ ab: 'c' }), fingerprintOf({ a: 'bc' }));
  });
});
