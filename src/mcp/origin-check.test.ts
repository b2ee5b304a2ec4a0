import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AllowedOrigins, checkOrigin } from './origin-check.js';

const LISTENING: AllowedOrigins = { listening: { address: '127.0.0.1', port: 8080 }, hosts: [], origins: [] };

const allows = (host: string | undefined, origin: string | undefined, allowed: AllowedOrigins = LISTENING) =>
  checkOrigin({ host, origin }, allowed).ok;

describe('checkOrigin', () => {
  test('allows the listen address and loopback names on the listen port, with or without an own origin', () => {
    for (const host of ['127.0.0.1:8080', 'localhost:8080', 'LOCALHOST:8080', '[::1]:8080']) {
      assert.equal(allows(host, undefined), true, host);
    }
    assert.equal(allows('127.0.0.1:8080', 'http://localhost:8080'), true);
    assert.equal(allows('127.0.0.1:8080', 'https://127.0.0.1:8080'), true);
  });

  test('refuses foreign names, other ports, wildcard addresses and tricks in Host', () => {
    for (const host of [
      'evil.example:8080',
      'localhost:8081',
      'localhost',
      '0.0.0.0:8080',
      'evil@localhost:8080',
      '',
    ]) {
      assert.equal(allows(host, undefined), false, host);
    }
    assert.equal(allows(undefined, undefined), false);
  });

  test('refuses foreign, opaque and non-web origins', () => {
    for (const origin of ['http://evil.example', 'null', 'file://localhost:8080', 'http://localhost:9999']) {
      assert.equal(allows('localhost:8080', origin), false, origin);
    }
    const verdict = checkOrigin({ host: 'localhost:8080', origin: 'http://evil.example' }, LISTENING);
    assert.deepEqual(verdict, { ok: false, message: 'the origin "http://evil.example" is not allowed' });
  });

  test('allows configured hosts and origins', () => {
    const allowed: AllowedOrigins = {
      ...LISTENING,
      hosts: ['sre.internal.example'],
      origins: ['https://console.example'],
    };
    assert.equal(allows('sre.internal.example', 'https://console.example', allowed), true);
    assert.equal(allows('SRE.internal.example', undefined, allowed), true);
    assert.equal(allows('sre.internal.example', 'https://sre.internal.example', allowed), true);
    assert.equal(allows('sre.internal.example', 'https://other.example', allowed), false);
  });

  test('treats a server listening on every address as reachable by loopback names only', () => {
    const everywhere: AllowedOrigins = { listening: { address: '::', port: 8080 }, hosts: [], origins: [] };
    assert.equal(allows('[::1]:8080', undefined, everywhere), true);
    assert.equal(allows('[::]:8080', undefined, everywhere), false);
    assert.equal(allows('10.0.0.5:8080', undefined, everywhere), false);
  });

  test('before listening, allows loopback names on any port', () => {
    const notYet: AllowedOrigins = { listening: undefined, hosts: [], origins: [] };
    assert.equal(allows('localhost:80', undefined, notYet), true);
    assert.equal(allows('localhost', undefined, notYet), true);
    assert.equal(allows('evil.example', undefined, notYet), false);
  });
});
