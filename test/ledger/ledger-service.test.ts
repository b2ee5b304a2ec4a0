import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { hexToBytes } from '@noble/hashes/utils.js';
import { hashToken, type Principal, type Role } from '../../src/auth/index.js';
import {
  AuthenticationError,
  CatalogueInvalidError,
  ConflictError,
  InputError,
  NotAllowedError,
} from '../../src/errors/index.js';
import {
  EVIDENCE_EXPORTED,
  type EvidenceBundle,
  type ExportFilter,
  generateNoteKey,
  type LedgerService,
  RESTRICTED_ERASED,
  toHex,
  verifyEvidenceBundle,
} from '../../src/ledger/index.js';
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

interface Leaf {
  readonly seq: string;
  readonly id: string;
  readonly time: string;
  readonly type: string;
  readonly subject: string;
  readonly restrictedDigest?: string;
}

async function testApp(t: TestContext, dialect: StoreDialect): Promise<TestApp> {
  const app = await buildTestApp(dialect);
  t.after(() => app.cleanup());
  return app;
}

/** The principal a real bearer token of the role authenticates as. */
async function principalWith(app: TestApp, role: Role): Promise<Principal> {
  const { authorization } = await app.bearer(role);
  return app.tokens.authenticate(authorization.slice('Bearer '.length));
}

function leavesOf(bundle: EvidenceBundle): Leaf[] {
  return bundle.entries.map((entry) => JSON.parse(Buffer.from(entry.leaf, 'base64').toString('utf8')));
}

function verifierKeyOf(app: TestApp): string {
  const key = app.runtime.ledgerKeys.signers[0]?.verifierKey;
  assert.ok(key !== undefined, 'the test ledger has a signing key');
  return key;
}

async function lastEntry(service: LedgerService, principal: Principal) {
  const head = await service.head(principal);
  const [entry] = await service.entries(principal, head.size - 1n, head.size);
  assert.ok(entry !== undefined);
  return entry;
}

async function entryAbout(service: LedgerService, principal: Principal, type: string, subject: string) {
  const head = await service.head(principal);
  const found = (await service.entries(principal, 0n, head.size)).find(
    (entry) => entry.event.type === type && entry.event.subject === subject,
  );
  assert.ok(found !== undefined, `no ${type} entry about ${subject}`);
  return found;
}

type LedgerServiceMethod = {
  [K in keyof LedgerService]: LedgerService[K] extends (...args: never[]) => unknown ? K : never;
}[keyof LedgerService];

/** One call of every public method, so a new method cannot be left out of the authorisation tests. */
const CALLS = {
  latestCheckpoint: (service, principal) => service.latestCheckpoint(principal),
  signCheckpoint: (service, principal) => service.signCheckpoint(principal),
  verifierKeys: (service, principal) => service.verifierKeys(principal),
  head: (service, principal) => service.head(principal),
  entries: (service, principal) => service.entries(principal, 0n, 1n),
  entry: (service, principal) => service.entry(principal, '0'),
  inclusionProof: (service, principal) => service.inclusionProof(principal, 0n, 1n),
  consistencyProof: (service, principal) => service.consistencyProof(principal, 1n, 1n),
  prove: (service, principal) => service.prove(principal, '0'),
  exportEvidence: (service, principal) => service.exportEvidence(principal, {}),
  verify: (service, principal) => service.verify(principal),
  replay: (service, principal) => service.replay(principal),
  eraseRestricted: (service, principal) => service.eraseRestricted(principal, '1', 'a test erasure'),
} satisfies Record<LedgerServiceMethod, (service: LedgerService, principal: Principal) => unknown>;

const MANAGE_ONLY: ReadonlyArray<LedgerServiceMethod> = ['signCheckpoint', 'exportEvidence', 'eraseRestricted'];

for (const dialect of DIALECTS) {
  describe(`${dialect}: ledger service`, () => {
    test('exports the entries a filter selects, with `to` exclusive, as bundles that verify', async (t) => {
      const app = await testApp(t, dialect);
      const service = app.runtime.ledgerService;
      const admin = await principalWith(app, 'admin');
      const vkey = verifierKeyOf(app);
      app.clock.set('2026-11-27T11:00:00Z');
      const alpha = await app.tokens.createToken(admin, { name: 'alpha', role: 'viewer' });
      app.clock.set('2026-11-27T12:00:00Z');
      const beta = await app.tokens.createToken(admin, { name: 'beta', role: 'engineer' });
      await app.tokens.revoke(admin, 'alpha');
      app.clock.set('2026-11-27T13:00:00Z');
      await app.tokens.createToken(admin, { name: 'gamma', role: 'auditor' });

      const cases: ReadonlyArray<{ filter: ExportFilter; want: ReadonlyArray<[string, string]> }> = [
        {
          filter: { from: '2026-11-27T11:00:00.000Z', to: '2026-11-27T13:00:00.000Z' },
          want: [
            ['token.created', `token:${alpha.summary.id}`],
            ['token.created', `token:${beta.summary.id}`],
            ['token.revoked', `token:${alpha.summary.id}`],
          ],
        },
        {
          filter: { from: '2026-11-27T12:00:00.000Z', to: '2026-11-27T12:00:00.001Z' },
          want: [
            ['token.created', `token:${beta.summary.id}`],
            ['token.revoked', `token:${alpha.summary.id}`],
          ],
        },
        {
          filter: { subject: `token:${alpha.summary.id}` },
          want: [
            ['token.created', `token:${alpha.summary.id}`],
            ['token.revoked', `token:${alpha.summary.id}`],
          ],
        },
        {
          filter: { type: 'token.revoked' },
          want: [['token.revoked', `token:${alpha.summary.id}`]],
        },
        { filter: { type: 'catalogue.loaded', to: '2026-11-27T10:00:00.000Z' }, want: [] },
      ];
      for (const { filter, want } of cases) {
        const bundle = await service.exportEvidence(admin, filter);
        const label = JSON.stringify(filter);
        assert.deepEqual(
          leavesOf(bundle).map((leaf) => [leaf.type, leaf.subject]),
          want,
          label,
        );
        assert.deepEqual(bundle.filter, filter, label);
        assert.deepEqual(bundle.verifierKeys, [vkey]);

        const text = JSON.stringify(bundle);
        const given = verifyEvidenceBundle(text, [vkey]);
        assert.deepEqual(given.problems, [], label);
        assert.equal(given.ok, true, label);
        assert.equal(given.trust, 'given');
        assert.equal(given.origin, TEST_LEDGER_ORIGIN);
        assert.equal(given.entriesChecked, want.length);
        const selfKeyed = verifyEvidenceBundle(text, []);
        assert.equal(selfKeyed.ok, true, label);
        assert.equal(selfKeyed.trust, 'bundle');

        const recorded = await lastEntry(service, admin);
        assert.equal(recorded.event.type, EVIDENCE_EXPORTED, label);
        assert.match(recorded.event.actor, /^token:admin-/);
        assert.deepEqual(recorded.event.data, { filter, entries: want.length });
        assert.equal(given.checkpointSize, BigInt(recorded.index) + 1n, 'the checkpoint covers the export itself');
      }
    });

    test('bundles agree with an independent verifier', async (t) => {
      const app = await testApp(t, dialect);
      const admin = await principalWith(app, 'admin');
      await app.tokens.createToken(admin, { name: 'alpha', role: 'viewer' });
      const bundle = await app.runtime.ledgerService.exportEvidence(admin, { type: 'token.created' });
      assert.equal(bundle.entries.length, 2);
      const checkpoint = parseCheckpointBody(openSignedNote(bundle.checkpoint, [verifierKeyOf(app)]).text);
      assert.equal(checkpoint.origin, TEST_LEDGER_ORIGIN);
      for (const entry of bundle.entries) {
        const leafHash = leafHashOf(Buffer.from(entry.leaf, 'base64'));
        const proof = entry.proof.map((hash) => hexToBytes(hash));
        assert.ok(checkInclusion(BigInt(entry.index), checkpoint.size, leafHash, proof, checkpoint.root), entry.index);
      }
    });

    test('detects any one changed byte of a bundle', async (t) => {
      const app = await testApp(t, dialect);
      const admin = await principalWith(app, 'admin');
      await app.tokens.createToken(admin, { name: 'alpha', role: 'viewer' });
      await app.tokens.revoke(admin, 'alpha');
      const bundle = await app.runtime.ledgerService.exportEvidence(admin, { from: '2026-11-27T10:00:00.000Z' });
      const bytes = Buffer.from(JSON.stringify(bundle), 'utf8');
      const vkey = verifierKeyOf(app);
      assert.equal(verifyEvidenceBundle(bytes.toString('utf8'), [vkey]).ok, true);
      const positions = 60;
      for (let n = 0; n < positions; n += 1) {
        const position = Math.floor((n * (bytes.length - 1)) / (positions - 1));
        const changed = Buffer.from(bytes);
        changed[position] = (changed[position] ?? 0) ^ 0x01;
        const text = changed.toString('utf8');
        const where = `byte ${position} of ${bytes.length}: ${JSON.stringify(bytes.subarray(Math.max(0, position - 12), position + 12).toString('utf8'))}`;
        const given = verifyEvidenceBundle(text, [vkey]);
        assert.equal(given.ok, false, `with the key given, ${where}`);
        assert.ok(given.problems.length > 0, where);
        assert.equal(verifyEvidenceBundle(text, []).ok, false, `with the bundle's keys, ${where}`);
      }
    });

    test('refuses a bundle checked with a key that did not sign it', async (t) => {
      const app = await testApp(t, dialect);
      const admin = await principalWith(app, 'admin');
      const text = JSON.stringify(await app.runtime.ledgerService.exportEvidence(admin, {}));
      for (const stranger of [generateNoteKey(TEST_LEDGER_ORIGIN), generateNoteKey('elsewhere.example/ledger')]) {
        const result = verifyEvidenceBundle(text, [stranger.verifierKey]);
        assert.equal(result.ok, false);
        assert.equal(result.trust, 'given');
        assert.match(result.problems[0] ?? '', /seal does not verify/);
      }
      assert.equal(
        verifyEvidenceBundle(text, [generateNoteKey(TEST_LEDGER_ORIGIN).verifierKey, verifierKeyOf(app)]).ok,
        true,
      );
    });

    test('erases the restricted data of a token.created entry and every proof stays valid', async (t) => {
      const app = await testApp(t, dialect);
      const service = app.runtime.ledgerService;
      const db = app.runtime.store.db;
      const admin = await principalWith(app, 'admin');
      const vkey = verifierKeyOf(app);
      const created = await app.tokens.createToken(admin, { name: 'personal', role: 'viewer' });
      const subject = `token:${created.summary.id}`;
      const bundleBefore = JSON.stringify(await service.exportEvidence(admin, { subject }));
      const proved = await service.prove(admin, (await entryAbout(service, admin, 'token.created', subject)).index);
      const restrictedBefore = await db
        .selectFrom('ledger_entries')
        .select('restricted')
        .where('seq', '=', proved.entry.index)
        .executeTakeFirstOrThrow();
      assert.match(restrictedBefore.restricted ?? '', new RegExp(hashToken(created.token)));

      await assert.rejects(service.eraseRestricted(admin, proved.entry.index, ''), InputError);
      const erased = await service.eraseRestricted(admin, proved.entry.event.id, 'erasure request ER-1');
      assert.equal(erased.type, RESTRICTED_ERASED);
      assert.equal(erased.subject, `ledger:${proved.entry.index}`);
      assert.deepEqual(erased.data, {
        index: proved.entry.index,
        id: proved.entry.event.id,
        subject,
        reason: 'erasure request ER-1',
      });
      await assert.rejects(
        app.tokens.authenticate(created.token),
        AuthenticationError,
        'an erased token no longer works',
      );
      const replayed = await service.replay(admin);
      assert.deepEqual(replayed.differences, [], 'replay rebuilds the erased token row too');
      assert.equal((await lastEntry(service, admin)).event.id, erased.id);
      await assert.rejects(service.eraseRestricted(admin, proved.entry.index, 'erasure request ER-1'), ConflictError);

      const restricted = await db.selectFrom('ledger_entries').select(['seq', 'restricted']).execute();
      assert.equal(restricted.find((row) => String(row.seq) === proved.entry.index)?.restricted, null);
      assert.ok(
        restricted.every((row) => !(row.restricted ?? '').includes(hashToken(created.token))),
        'the token hash is gone from the ledger',
      );

      const verification = await service.verify(admin);
      assert.deepEqual(verification.problems, []);
      assert.equal(verification.ok, true);
      const entryAfter = await service.entry(admin, proved.entry.index);
      assert.deepEqual(entryAfter, proved.entry, 'the leaf is unchanged');
      assert.ok(entryAfter.event.restrictedDigest !== undefined);
      assert.equal(verifyEvidenceBundle(bundleBefore, [vkey]).ok, true);
      const checkpoint = proved.checkpoint.checkpoint;
      const reproved = await service.inclusionProof(admin, BigInt(proved.entry.index), checkpoint.size);
      assert.deepEqual(reproved.map(toHex), proved.proof);
      assert.ok(
        checkInclusion(
          BigInt(proved.entry.index),
          checkpoint.size,
          leafHashOf(Buffer.from(entryAfter.leaf, 'base64')),
          proved.proof.map((hash) => hexToBytes(hash)),
          checkpoint.root,
        ),
      );
      const latest = (await service.signCheckpoint(admin)).checkpoint;
      const consistency = await service.consistencyProof(admin, checkpoint.size, latest.size);
      assert.ok(checkConsistency(checkpoint.size, latest.size, checkpoint.root, latest.root, consistency));
      const bundleAfter = verifyEvidenceBundle(JSON.stringify(await service.exportEvidence(admin, { subject })), [
        vkey,
      ]);
      assert.equal(bundleAfter.ok, true);
      assert.equal(bundleAfter.entriesChecked, 1);
    });

    test('replay rebuilds the live tables from the ledger and names a row edited behind its back', async (t) => {
      const app = await testApp(t, dialect);
      const service = app.runtime.ledgerService;
      const db = app.runtime.store.db;
      const admin = await principalWith(app, 'admin');
      const alpha = await app.tokens.createToken(admin, { name: 'alpha', role: 'viewer', expiresIn: '30d' });
      await app.tokens.createToken(admin, { name: 'beta', role: 'integration', scope: 'alertmanager' });
      await app.tokens.revoke(admin, 'beta');
      await app.tokens.authenticate(alpha.token);
      app.clock.advance(60_000);
      const file = join(app.catalogueDir, 'teams.yaml');
      const original = await readFile(file, 'utf8');
      await writeFile(file, 'teams: [\n');
      await assert.rejects(app.catalogue.reload(admin), CatalogueInvalidError);
      await writeFile(file, original);
      await app.catalogue.reload(admin);

      const clean = await service.replay(admin);
      assert.deepEqual(clean.differences, []);
      assert.equal(clean.ok, true);
      assert.equal(clean.events, (await service.head(admin)).size);
      assert.deepEqual(clean.tables, [
        { name: 'api_tokens', rows: 3 },
        { name: 'catalogue_loads', rows: 3 },
        { name: 'slo_tier_states', rows: 0 },
        { name: 'alerts', rows: 0 },
        { name: 'incidents', rows: 0 },
        { name: 'incident_services', rows: 0 },
        { name: 'incident_links', rows: 0 },
        { name: 'incident_correlations', rows: 0 },
        { name: 'incident_reports', rows: 0 },
        { name: 'changes', rows: 0 },
        { name: 'change_services', rows: 0 },
        { name: 'change_approvals', rows: 0 },
        { name: 'deployments', rows: 0 },
      ]);

      await db.updateTable('api_tokens').set({ role: 'admin' }).where('id', '=', alpha.summary.id).execute();
      const edited = await service.replay(admin);
      assert.equal(edited.ok, false);
      assert.deepEqual(edited.differences, [
        {
          table: 'api_tokens',
          key: alpha.summary.id,
          problem: 'column role is "admin" live but "viewer" from the ledger',
        },
      ]);

      await db.updateTable('api_tokens').set({ role: 'viewer' }).where('id', '=', alpha.summary.id).execute();
      await db.deleteFrom('catalogue_loads').where('outcome', '=', 'refused').execute();
      const deleted = await service.replay(admin);
      assert.deepEqual(
        deleted.differences.map((difference) => [difference.table, difference.problem]),
        [['catalogue_loads', 'the ledger has this row but the live table does not']],
      );
    });

    test('a viewer may call no ledger method and an auditor may read but not sign, export or erase', async (t) => {
      const app = await testApp(t, dialect);
      const service = app.runtime.ledgerService;
      const viewer = await principalWith(app, 'viewer');
      const auditor = await principalWith(app, 'auditor');
      const admin = await principalWith(app, 'admin');
      await service.signCheckpoint(admin);
      const sizeBefore = (await service.head(admin)).size;
      for (const [method, call] of Object.entries(CALLS)) {
        await assert.rejects(async () => call(service, viewer), NotAllowedError, `viewer: ${method}`);
      }
      for (const [method, call] of Object.entries(CALLS)) {
        if (MANAGE_ONLY.some((name) => name === method)) {
          await assert.rejects(async () => call(service, auditor), NotAllowedError, `auditor: ${method}`);
        } else {
          await assert.doesNotReject(async () => call(service, auditor), `auditor: ${method}`);
        }
      }
      assert.equal((await service.head(admin)).size, sizeBefore, 'refused calls recorded nothing');
    });
  });
}
