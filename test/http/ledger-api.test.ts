import assert from 'node:assert/strict';
import { after, describe, type TestContext, test } from 'node:test';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { generateNoteKey } from '../../src/ledger/index.js';
import type { StoreDialect } from '../../src/store/index.js';
import {
  checkConsistency,
  checkInclusion,
  leafHashOf,
  openSignedNote,
  parseCheckpointBody,
} from '../support/independent-verifier.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { buildTestApp, TEST_LEDGER_ORIGIN, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-store.js';

after(stopSharedPostgres);

interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  };
}

interface CheckpointJson {
  readonly origin: string;
  readonly size: string;
  readonly root: string;
  readonly signedAt: string;
  readonly note: string;
}

interface EntryJson {
  readonly index: string;
  readonly event: { readonly seq: string; readonly id: string; readonly type: string; readonly subject: string };
  readonly leaf: string;
}

const READ_ROUTES = [
  '/api/v1/ledger/checkpoint',
  '/api/v1/ledger/checkpoint?format=json',
  '/api/v1/ledger/keys',
  '/api/v1/ledger/entries?start=0',
  '/api/v1/ledger/entries/0',
  '/api/v1/ledger/proof/inclusion?index=0&size=1',
  '/api/v1/ledger/proof/consistency?from=1&to=1',
] as const;

async function testApp(t: TestContext, dialect: StoreDialect): Promise<TestApp> {
  const app = await buildTestApp(dialect);
  t.after(() => app.cleanup());
  return app;
}

function errorOf(body: string): ErrorBody['error'] {
  const parsed: ErrorBody = JSON.parse(body);
  assert.doesNotMatch(body, /\n\s+at |node_modules|SQLITE_|relation "|out of range/, 'an error body leaks internals');
  return parsed.error;
}

async function get(app: TestApp, url: string, headers: { authorization: string }) {
  return app.app.inject({ method: 'GET', url, headers });
}

async function signCheckpoint(app: TestApp, admin: { authorization: string }, vkey: string) {
  const response = await app.app.inject({ method: 'POST', url: '/api/v1/ledger/checkpoint', headers: admin });
  assert.equal(response.statusCode, 200, response.body);
  const json: CheckpointJson = response.json();
  const opened = parseCheckpointBody(openSignedNote(json.note, [vkey]).text);
  assert.equal(opened.size.toString(), json.size);
  assert.equal(bytesToHex(opened.root), json.root);
  return opened;
}

async function verifierKey(app: TestApp, headers: { authorization: string }): Promise<string> {
  const response = await get(app, '/api/v1/ledger/keys', headers);
  assert.equal(response.statusCode, 200);
  const { keys }: { keys: string[] } = response.json();
  assert.equal(keys.length, 1);
  const [key] = keys;
  assert.ok(key !== undefined);
  return key;
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: ledger HTTP API`, () => {
    test('serves the latest checkpoint as a signed note that opens with the published key', async (t) => {
      const app = await testApp(t, dialect);
      const auditor = await app.bearer('auditor');
      const vkey = await verifierKey(app, auditor);
      assert.equal(vkey, app.runtime.ledgerKeys.signers[0]?.verifierKey);

      const note = await get(app, '/api/v1/ledger/checkpoint', auditor);
      assert.equal(note.statusCode, 200);
      assert.match(String(note.headers['content-type']), /^text\/plain/);
      const opened = openSignedNote(note.body, [vkey]);
      assert.deepEqual(opened.verifiedKeys, [vkey]);
      const checkpoint = parseCheckpointBody(opened.text);
      assert.equal(checkpoint.origin, TEST_LEDGER_ORIGIN);
      assert.ok(checkpoint.size >= 2n, 'the catalogue load and the auditor token are recorded');
      assert.throws(() => openSignedNote(note.body, [generateNoteKey(TEST_LEDGER_ORIGIN).verifierKey]));

      const json = await get(app, '/api/v1/ledger/checkpoint?format=json', auditor);
      assert.equal(json.statusCode, 200);
      const fields: CheckpointJson = json.json();
      assert.deepEqual(Object.keys(fields).sort(), ['note', 'origin', 'root', 'signedAt', 'size']);
      assert.equal(fields.origin, TEST_LEDGER_ORIGIN);
      assert.equal(fields.size, checkpoint.size.toString());
      assert.equal(fields.root, bytesToHex(checkpoint.root));
      assert.equal(fields.signedAt, '2026-11-27T10:00:00.000Z');
      assert.equal(fields.note, note.body);

      const unknownFormat = await get(app, '/api/v1/ledger/checkpoint?format=xml', auditor);
      assert.equal(unknownFormat.statusCode, 400);
      assert.equal(errorOf(unknownFormat.body).details?.[0]?.path, 'querystring.format');
    });

    test('every entry leaf is included in the signed tree by its inclusion proof', async (t) => {
      const app = await testApp(t, dialect);
      const admin = await app.bearer('admin');
      const auditor = await app.bearer('auditor');
      const vkey = await verifierKey(app, auditor);
      const checkpoint = await signCheckpoint(app, admin, vkey);

      const page = await get(app, `/api/v1/ledger/entries?start=0&end=${checkpoint.size}`, auditor);
      assert.equal(page.statusCode, 200);
      const { size, items }: { size: string; items: EntryJson[] } = page.json();
      assert.equal(size, checkpoint.size.toString());
      assert.deepEqual(
        items.map((item) => item.index),
        Array.from({ length: Number(checkpoint.size) }, (_, index) => String(index)),
      );
      assert.deepEqual(
        items.map((item) => item.event.type),
        ['catalogue.loaded', 'token.created', 'token.created'],
      );
      for (const item of items) {
        const leaf = Buffer.from(item.leaf, 'base64');
        const parsed: { seq: string; id: string } = JSON.parse(leaf.toString('utf8'));
        assert.equal(parsed.seq, item.index);
        assert.equal(item.event.seq, item.index);
        assert.equal(parsed.id, item.event.id);

        const response = await get(
          app,
          `/api/v1/ledger/proof/inclusion?index=${item.index}&size=${checkpoint.size}`,
          auditor,
        );
        assert.equal(response.statusCode, 200);
        const body: { index: string; size: string; proof: string[] } = response.json();
        assert.equal(body.index, item.index);
        const proof = body.proof.map((hash) => hexToBytes(hash));
        const index = BigInt(item.index);
        assert.ok(checkInclusion(index, checkpoint.size, leafHashOf(leaf), proof, checkpoint.root), item.index);
        const altered = Buffer.from(leaf);
        altered[0] = (altered[0] ?? 0) ^ 0x01;
        assert.equal(checkInclusion(index, checkpoint.size, leafHashOf(altered), proof, checkpoint.root), false);

        for (const key of [item.index, item.event.id]) {
          const one = await get(app, `/api/v1/ledger/entries/${key}`, auditor);
          assert.equal(one.statusCode, 200);
          assert.deepEqual(one.json(), item);
        }
      }
      const missing = await get(app, '/api/v1/ledger/entries/no-such-event', auditor);
      assert.equal(missing.statusCode, 404);
      assert.equal(errorOf(missing.body).code, 'SRE_NOT_FOUND');
    });

    test('a consistency proof links an earlier signed checkpoint to a later one', async (t) => {
      const app = await testApp(t, dialect);
      const admin = await app.bearer('admin');
      const vkey = await verifierKey(app, admin);
      const first = await signCheckpoint(app, admin, vkey);
      for (const name of ['alpha', 'beta', 'gamma']) {
        const created = await app.app.inject({
          method: 'POST',
          url: '/api/v1/tokens',
          headers: admin,
          payload: { name, role: 'viewer' },
        });
        assert.equal(created.statusCode, 201);
      }
      const second = await signCheckpoint(app, admin, vkey);
      assert.equal(second.size, first.size + 3n);

      const response = await get(app, `/api/v1/ledger/proof/consistency?from=${first.size}&to=${second.size}`, admin);
      assert.equal(response.statusCode, 200);
      const body: { from: string; to: string; proof: string[] } = response.json();
      assert.deepEqual([body.from, body.to], [first.size.toString(), second.size.toString()]);
      const proof = body.proof.map((hash) => hexToBytes(hash));
      assert.ok(checkConsistency(first.size, second.size, first.root, second.root, proof));
      assert.equal(checkConsistency(first.size, second.size, second.root, first.root, proof), false);

      const same = await get(app, `/api/v1/ledger/proof/consistency?from=${second.size}&to=${second.size}`, admin);
      assert.deepEqual(same.json().proof, []);
      const latest = await get(app, '/api/v1/ledger/checkpoint?format=json', admin);
      assert.equal(latest.json().size, second.size.toString());
    });

    test('refuses bad numbers with 400 naming the parameter, never 500', async (t) => {
      const app = await testApp(t, dialect);
      const auditor = await app.bearer('auditor');
      const head = BigInt((await get(app, '/api/v1/ledger/entries?start=0', auditor)).json().size);
      const cases: ReadonlyArray<readonly [string, string]> = [
        [`/api/v1/ledger/proof/inclusion?index=${head}&size=${head}`, 'index'],
        [`/api/v1/ledger/proof/inclusion?index=0&size=${head + 1n}`, 'size'],
        ['/api/v1/ledger/proof/inclusion?index=-1&size=1', 'querystring.index'],
        ['/api/v1/ledger/proof/inclusion?index=0', 'querystring.size'],
        ['/api/v1/ledger/proof/inclusion?index=18446744073709551616&size=1', 'querystring.index'],
        [`/api/v1/ledger/proof/consistency?from=0&to=${head}`, 'from'],
        [`/api/v1/ledger/proof/consistency?from=${head}&to=1`, 'from'],
        [`/api/v1/ledger/proof/consistency?from=1&to=${head + 1n}`, 'to'],
        ['/api/v1/ledger/proof/consistency?from=1&to=1.5', 'querystring.to'],
        ['/api/v1/ledger/entries?start=abc', 'querystring.start'],
        ['/api/v1/ledger/entries?start=0&end=0x10', 'querystring.end'],
        ['/api/v1/ledger/entries?start=123456789012345678901', 'querystring.start'],
        ['/api/v1/ledger/entries?start=01', 'querystring.start'],
        ['/api/v1/ledger/entries', 'querystring.start'],
      ];
      for (const [url, path] of cases) {
        const response = await get(app, url, auditor);
        assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
        const error = errorOf(response.body);
        assert.equal(error.code, 'SRE_INPUT_INVALID', url);
        assert.equal(error.details?.[0]?.path, path, url);
      }

      const huge = ['9223372036854775807', '18446744073709551615', '123456789012345678901'];
      for (const index of huge) {
        const response = await get(app, `/api/v1/ledger/entries/${index}`, auditor);
        assert.equal(response.statusCode, 404, `entry ${index}: ${response.body}`);
        errorOf(response.body);
      }
      const beyond = await get(app, '/api/v1/ledger/entries?start=18446744073709551615', auditor);
      assert.equal(beyond.statusCode, 200);
      assert.deepEqual(beyond.json().items, []);
    });

    test('viewers get 403, requests without a token 401, and only admins sign checkpoints', async (t) => {
      const app = await testApp(t, dialect);
      const viewer = await app.bearer('viewer');
      const auditor = await app.bearer('auditor');
      for (const url of READ_ROUTES) {
        const refused = await get(app, url, viewer);
        assert.equal(refused.statusCode, 403, url);
        assert.equal(errorOf(refused.body).code, 'SRE_NOT_ALLOWED');
        const anonymous = await app.app.inject({ method: 'GET', url });
        assert.equal(anonymous.statusCode, 401, url);
        assert.equal(errorOf(anonymous.body).code, 'SRE_AUTHENTICATION_REQUIRED');
        assert.equal((await get(app, url, auditor)).statusCode, 200, url);
      }
      for (const headers of [viewer, auditor]) {
        const refused = await app.app.inject({ method: 'POST', url: '/api/v1/ledger/checkpoint', headers });
        assert.equal(refused.statusCode, 403);
        assert.match(errorOf(refused.body).message, /may not sign checkpoints/);
      }
      const anonymous = await app.app.inject({ method: 'POST', url: '/api/v1/ledger/checkpoint' });
      assert.equal(anonymous.statusCode, 401);
    });
  });
}
