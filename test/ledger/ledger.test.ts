import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { systemPrincipal, TOKEN_CREATED } from '../../src/auth/index.js';
import { FixedClock } from '../../src/clock/index.js';
import { ConflictError } from '../../src/errors/index.js';
import {
  consistencyProof,
  EMPTY_ROOT,
  generateNoteKey,
  type Hash,
  inclusionProof,
  Ledger,
  type LedgerEvent,
  leafHash,
  leafTextOf,
  memoryRangeHasher,
  type NewLedgerEvent,
  type NoteSigner,
  ProjectorRegistry,
  parseLeaf,
  parseSignerKey,
  parseVerifierKey,
  restrictedDigestOf,
  rootOf,
  verifyLedger,
} from '../../src/ledger/index.js';
import type { Db, LedgerEntryRow, StoreDialect, StoreOptions } from '../../src/store/index.js';
import {
  checkConsistency,
  checkInclusion,
  leafHashOf,
  openSignedNote,
  parseCheckpointBody,
  rootOfLeaves,
} from '../support/independent-verifier.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { buildTestApp, TEST_LEDGER_ORIGIN, type TestApp } from '../support/test-app.js';
import { DIALECTS, openTestStore, type TestStore } from '../support/test-store.js';

after(stopSharedPostgres);

const START = '2026-03-01T09:00:00.000Z';
// 40 entries in transactions of mixed sizes, so that batches straddle subtree boundaries.
const BATCHES = [1, 3, 1, 5, 2, 1, 7, 4, 1, 1, 6, 8] as const;

interface LedgerFixture {
  readonly testStore: TestStore;
  readonly db: Db;
  readonly clock: FixedClock;
  readonly ledger: Ledger;
}

interface Snapshot {
  readonly entries: number;
  readonly nodes: number;
  readonly checkpoints: number;
  readonly tokens: number;
  readonly size: bigint;
  readonly root: string;
}

function newEvent(n: number): NewLedgerEvent {
  const event = {
    actor: n % 3 === 0 ? 'system:test' : `local:user-${n % 5}`,
    type: n % 2 === 0 ? 'test.recorded' : 'test.amended',
    subject: `item:${n}`,
    data: { n, label: `entry ${n}`, tags: ['a', n % 2 === 0 ? 'even' : 'odd'], nested: { ok: true, none: null } },
  };
  return n % 4 === 1 ? { ...event, restricted: { secret: `s-${n}` } } : event;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

async function openLedger(dialect: StoreDialect, signers: ReadonlyArray<NoteSigner> = []): Promise<LedgerFixture> {
  const testStore = await openTestStore(dialect);
  const clock = FixedClock.at(START);
  const ledger = Ledger.create({
    db: testStore.store.db,
    clock,
    projectors: ProjectorRegistry.of([]),
    signing: signers.length === 0 ? undefined : { origin: TEST_LEDGER_ORIGIN, signers },
  });
  return { testStore, db: testStore.store.db, clock, ledger };
}

/** Appends one transaction per batch, a second apart, numbering events from `first`. */
async function appendBatches(
  ledger: Ledger,
  clock: FixedClock,
  batches: ReadonlyArray<number>,
  first = 0,
): Promise<{ events: LedgerEvent[]; inputs: NewLedgerEvent[]; times: string[] }> {
  const events: LedgerEvent[] = [];
  const inputs: NewLedgerEvent[] = [];
  const times: string[] = [];
  let n = first;
  for (const batch of batches) {
    clock.advance(1_000);
    const appended = await ledger.transact(async (tx) => {
      const inBatch: LedgerEvent[] = [];
      for (let k = 0; k < batch; k += 1) {
        const input = newEvent(n);
        n += 1;
        inputs.push(input);
        times.push(clock.now().toISOString());
        inBatch.push(await tx.append(input));
      }
      return inBatch;
    });
    events.push(...appended);
  }
  return { events, inputs, times };
}

async function storedEntries(db: Db): Promise<LedgerEntryRow[]> {
  return db.selectFrom('ledger_entries').selectAll().orderBy('seq').execute();
}

async function storedLeafHashes(db: Db): Promise<Hash[]> {
  return (await storedEntries(db)).map((row) => leafHash(utf8(row.leaf)));
}

type CountedTable = 'ledger_entries' | 'ledger_nodes' | 'ledger_checkpoints' | 'api_tokens';

async function countRows(db: Db, table: CountedTable): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function snapshot(db: Db): Promise<Snapshot> {
  const head = await db.selectFrom('ledger_head').select(['size', 'root']).executeTakeFirstOrThrow();
  return {
    entries: await countRows(db, 'ledger_entries'),
    nodes: await countRows(db, 'ledger_nodes'),
    checkpoints: await countRows(db, 'ledger_checkpoints'),
    tokens: await countRows(db, 'api_tokens'),
    size: BigInt(head.size),
    root: head.root,
  };
}

/** The same database through a second connection pool, as a second process or replica would see it. */
function secondHandleOf(options: StoreOptions): StoreOptions {
  switch (options.dialect) {
    case 'sqlite':
      return options;
    case 'postgres':
      return { ...options, poolSize: 3 };
  }
}

// Each handle appends in this many concurrent chains, pausing between appends so that the other handle gets the
// lock too: an SQLite writer waiting on the lock retries only every few milliseconds.
const CHAINS = 3;
const PAUSE_MS = 10;
const MODULES = {
  store: new URL('../../src/store/index.js', import.meta.url).href,
  ledger: new URL('../../src/ledger/index.js', import.meta.url).href,
  clock: new URL('../../src/clock/index.js', import.meta.url).href,
};

// A thread of its own, as a second process would have: better-sqlite3 waits for a lock synchronously, so two
// handles in one thread would each block the other's commit.
const APPENDER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { openStore } = await import(workerData.modules.store);
  const { Ledger, ProjectorRegistry } = await import(workerData.modules.ledger);
  const { FixedClock } = await import(workerData.modules.clock);
  const store = await openStore(workerData.options);
  try {
    const clock = FixedClock.at(workerData.start);
    const ledger = Ledger.create({ db: store.db, clock, projectors: ProjectorRegistry.of([]) });
    await new Promise((resolve) => {
      parentPort.once('message', resolve);
      parentPort.postMessage('ready');
    });
    const seqs = [];
    const chain = async (events) => {
      for (const event of events) {
        seqs.push((await ledger.append(event)).seq.toString());
        await new Promise((resolve) => setTimeout(resolve, workerData.pauseMs));
      }
    };
    const chains = Array.from({ length: workerData.chains }, (_, c) =>
      workerData.events.filter((_, n) => n % workerData.chains === c),
    );
    await Promise.all(chains.map(chain));
    parentPort.postMessage(seqs);
  } finally {
    await store.close();
  }
})();
`;

async function appendInChains(ledger: Ledger, events: ReadonlyArray<NewLedgerEvent>): Promise<bigint[]> {
  const seqs: bigint[] = [];
  const chains = Array.from({ length: CHAINS }, (_, c) => events.filter((_, n) => n % CHAINS === c));
  await Promise.all(
    chains.map(async (chain) => {
      for (const event of chain) {
        seqs.push((await ledger.append(event)).seq);
        await delay(PAUSE_MS);
      }
    }),
  );
  return seqs;
}

function messageFrom(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the appending thread exited with code ${code} first`)));
  });
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: ledger`, () => {
    describe('appending', () => {
      let fixture: LedgerFixture;
      let appended: Awaited<ReturnType<typeof appendBatches>>;
      before(async () => {
        fixture = await openLedger(dialect);
        appended = await appendBatches(fixture.ledger, fixture.clock, BATCHES);
      });
      after(async () => {
        await fixture.testStore.cleanup();
      });

      test('numbers entries from 0, takes the time from the clock and the rest from the caller', async () => {
        const { events, inputs, times } = appended;
        assert.equal(events.length, 40);
        assert.deepEqual(
          events.map((event) => event.seq),
          events.map((_, index) => BigInt(index)),
        );
        assert.equal(new Set(events.map((event) => event.id)).size, events.length);
        const rows = await storedEntries(fixture.db);
        assert.equal(rows.length, events.length);
        events.forEach((event, index) => {
          const input = inputs[index];
          const row = rows[index];
          assert.ok(input !== undefined && row !== undefined);
          assert.equal(event.time, times[index]);
          assert.equal(event.actor, input.actor);
          assert.equal(event.type, input.type);
          assert.equal(event.subject, input.subject);
          assert.deepEqual(event.data, input.data);
          assert.equal(
            event.restrictedDigest,
            input.restricted === undefined ? undefined : restrictedDigestOf(input.restricted),
          );
          assert.equal(BigInt(row.seq), event.seq);
          assert.deepEqual(
            [row.id, row.time, row.actor, row.type, row.subject],
            [event.id, event.time, event.actor, event.type, event.subject],
          );
          assert.equal(row.leaf, leafTextOf(event));
          assert.deepEqual(parseLeaf(row.leaf), { ok: true, event });
          assert.equal(row.restricted === null, input.restricted === undefined);
        });
        // One transaction, one instant: the batch of seven shares its time.
        assert.equal(new Set(events.slice(13, 20).map((event) => event.time)).size, 1);
        assert.equal(events[0]?.time, '2026-03-01T09:00:01.000Z');
      });

      test('the head root is the RFC 6962 root of the leaf hashes', async () => {
        const leaves = await storedLeafHashes(fixture.db);
        const head = await fixture.ledger.head();
        assert.equal(head.size, 40n);
        assert.equal(hex(head.root), hex(rootOf(leaves)));
      });

      test('roots and proofs from stored subtree hashes equal the in-memory RFC 6962 computation', async () => {
        const leaves = await storedLeafHashes(fixture.db);
        const memory = memoryRangeHasher(leaves);
        assert.equal(hex(await fixture.ledger.rootAt(0n)), hex(EMPTY_ROOT));
        for (let n = 1n; n <= 40n; n += 1n) {
          assert.equal(hex(await fixture.ledger.rootAt(n)), hex(rootOf(leaves.slice(0, Number(n)))), `root ${n}`);
          for (let i = 0n; i < n; i += 1n) {
            assert.deepEqual(
              (await fixture.ledger.inclusionProof(i, n)).map(hex),
              inclusionProof(i, n, memory).map(hex),
              `inclusion of ${i} in ${n}`,
            );
          }
          for (let m = 1n; m <= n; m += 1n) {
            assert.deepEqual(
              (await fixture.ledger.consistencyProof(m, n)).map(hex),
              consistencyProof(m, n, memory).map(hex),
              `consistency of ${m} with ${n}`,
            );
          }
        }
      });
    });

    describe('on the runtime', () => {
      let app: TestApp;
      before(async () => {
        app = await buildTestApp(dialect);
      });
      after(async () => {
        await app.cleanup();
      });

      test('proofs and signed checkpoints verify with an independent RFC 9162 and signed-note verifier', async () => {
        const { ledger, ledgerKeys } = app.runtime;
        const db = app.testStore.store.db;
        await appendBatches(ledger, app.clock, [2, 5, 1, 3]);
        const first = await ledger.checkpoint();
        await appendBatches(ledger, app.clock, [4, 1, 6], 11);
        const second = await ledger.checkpoint();
        assert.ok(first !== undefined && second !== undefined);
        assert.equal(ledgerKeys.signers.length, 1);
        const vkeys = ledgerKeys.signers.map((signer) => signer.verifierKey);

        const leaves = (await storedEntries(db)).map((row) => leafHashOf(utf8(row.leaf)));
        const roots = leaves.map((_, n) => rootOfLeaves(leaves.slice(0, n)));
        roots.push(rootOfLeaves(leaves));
        const size = BigInt(leaves.length);

        const opened = [first, second].map((stored) => {
          const note = openSignedNote(stored.note, vkeys);
          assert.deepEqual(note.verifiedKeys, vkeys);
          return parseCheckpointBody(note.text);
        });
        const [older, newer] = opened;
        assert.ok(older !== undefined && newer !== undefined);
        assert.equal(newer.origin, TEST_LEDGER_ORIGIN);
        assert.equal(newer.size, size);
        assert.equal(hex(newer.root), hex(roots[leaves.length] ?? EMPTY_ROOT));
        assert.equal(hex(older.root), hex(roots[Number(older.size)] ?? EMPTY_ROOT));
        assert.ok(older.size > 0n && older.size < newer.size);
        assert.ok(
          checkConsistency(
            older.size,
            newer.size,
            older.root,
            newer.root,
            await ledger.consistencyProof(older.size, newer.size),
          ),
          'the newer checkpoint extends the older one',
        );

        for (let n = 1n; n <= size; n += 1n) {
          const root = roots[Number(n)] ?? EMPTY_ROOT;
          assert.equal(hex(await ledger.rootAt(n)), hex(root), `root ${n}`);
          for (let i = 0n; i < n; i += 1n) {
            const leaf = leaves[Number(i)] ?? EMPTY_ROOT;
            assert.ok(checkInclusion(i, n, leaf, await ledger.inclusionProof(i, n), root), `inclusion of ${i} in ${n}`);
          }
          for (let m = 1n; m <= n; m += 1n) {
            const proof = await ledger.consistencyProof(m, n);
            assert.ok(checkConsistency(m, n, roots[Number(m)] ?? EMPTY_ROOT, root, proof), `consistency ${m}-${n}`);
          }
        }
        // The verifier is not trivially satisfied.
        const proof = await ledger.inclusionProof(3n, size);
        assert.equal(checkInclusion(3n, size, leaves[4] ?? EMPTY_ROOT, proof, newer.root), false);
        assert.throws(() => openSignedNote(second.note.replace(`\n${size}\n`, `\n${size + 1n}\n`), vkeys));
      });

      test('a transaction that throws after appending leaves no entry, node, head change or projected row', async () => {
        const { ledger } = app.runtime;
        const db = app.testStore.store.db;
        await ledger.checkpoint();
        const before = await snapshot(db);
        const notified: bigint[] = [];
        const stopListening = ledger.onAppended((size) => notified.push(size));
        const id = randomUUID();
        await assert.rejects(
          ledger.transact(async (tx) => {
            await tx.append({
              actor: 'system:test',
              type: TOKEN_CREATED,
              subject: `token:${id}`,
              data: { id, name: 'never-kept', role: 'viewer', scope: null, prefix: 'sre_abcdefgh', expiresAt: null },
              restricted: { tokenHash: 'f'.repeat(64) },
            });
            const projected = await tx.db.selectFrom('api_tokens').select('id').where('id', '=', id).execute();
            assert.equal(projected.length, 1, 'the projection is visible inside the transaction');
            await tx.append(newEvent(100));
            throw new Error('the work failed after appending');
          }),
          /the work failed after appending/,
        );
        stopListening();
        assert.deepEqual(await snapshot(db), before);
        assert.deepEqual(notified, []);
        assert.deepEqual(await db.selectFrom('api_tokens').select('id').where('id', '=', id).execute(), []);

        const next = await ledger.append(newEvent(101));
        assert.equal(next.seq, before.size, 'the next append takes the seq the failed one would have');
        const verification = await verifyLedger(db, ledger.verifiers);
        assert.deepEqual(verification.problems, []);
      });

      test('a failed append spoils its transaction even when the caller catches the error', async () => {
        const { ledger } = app.runtime;
        const db = app.testStore.store.db;
        const before = await snapshot(db);
        await assert.rejects(
          ledger.transact(async (tx) => {
            await tx.append(newEvent(200));
            await tx.append({ ...newEvent(201), type: 'Not A Type' }).catch(() => undefined);
            await tx.append(newEvent(202));
          }),
          /not dotted lower case/,
        );
        assert.deepEqual(await snapshot(db), before);
      });

      test('appends not awaited one by one still take their places in call order', async () => {
        const { ledger } = app.runtime;
        const events = await ledger.transact((tx) => Promise.all([300, 301, 302].map((n) => tx.append(newEvent(n)))));
        assert.deepEqual(
          events.map((event) => event.seq - (events[0]?.seq ?? 0n)),
          [0n, 1n, 2n],
        );
        assert.deepEqual(
          events.map((event) => event.data),
          [300, 301, 302].map((n) => newEvent(n).data),
        );
        assert.deepEqual((await verifyLedger(app.testStore.store.db, ledger.verifiers)).problems, []);
      });

      test('a token that conflicts with an active name is refused and appends nothing', async () => {
        const db = app.testStore.store.db;
        const admin = systemPrincipal('test');
        await app.tokens.createToken(admin, { name: 'deploy-bot', role: 'viewer' });
        const before = await snapshot(db);
        await assert.rejects(app.tokens.createToken(admin, { name: 'deploy-bot', role: 'admin' }), ConflictError);
        assert.deepEqual(await snapshot(db), before);

        const racing = await Promise.allSettled([
          app.tokens.createToken(admin, { name: 'racer', role: 'viewer' }),
          app.tokens.createToken(admin, { name: 'racer', role: 'viewer' }),
        ]);
        assert.deepEqual(racing.map((outcome) => outcome.status).sort(), ['fulfilled', 'rejected']);
        for (const outcome of racing) {
          if (outcome.status === 'rejected') assert.ok(outcome.reason instanceof ConflictError);
        }
        const after = await snapshot(db);
        assert.equal(after.entries, before.entries + 1);
        assert.equal(after.tokens, before.tokens + 1);
        assert.equal(after.size, before.size + 1n);
      });
    });

    test('concurrent appends from two store handles take every seq once, without gaps', async (t) => {
      const testStore = await openTestStore(dialect);
      const count = 40;
      const inputs = Array.from({ length: count }, (_, n) => newEvent(n));
      const theirInputs = inputs.filter((_, n) => n % 2 === 1);
      const appender = new Worker(APPENDER, {
        eval: true,
        workerData: {
          options: secondHandleOf(testStore.options),
          events: theirInputs,
          start: START,
          chains: CHAINS,
          pauseMs: PAUSE_MS,
          modules: MODULES,
        },
      });
      t.after(async () => {
        await appender.terminate();
        await testStore.cleanup();
      });
      const ledger = Ledger.create({
        db: testStore.store.db,
        clock: FixedClock.at(START),
        projectors: ProjectorRegistry.of([]),
      });
      assert.equal(await messageFrom(appender), 'ready');
      appender.postMessage('go');
      const [theirs, ours] = await Promise.all([
        messageFrom(appender),
        appendInChains(
          ledger,
          inputs.filter((_, n) => n % 2 === 0),
        ),
      ]);

      assert.ok(Array.isArray(theirs) && theirs.every((seq) => typeof seq === 'string'));
      const seqs = [...ours, ...theirs.map((seq) => BigInt(seq))];
      assert.deepEqual(
        seqs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        Array.from({ length: count }, (_, n) => BigInt(n)),
      );
      const rows = await storedEntries(testStore.store.db);
      assert.deepEqual(
        rows.map((row) => BigInt(row.seq)),
        Array.from({ length: count }, (_, n) => BigInt(n)),
      );
      assert.deepEqual(rows.map((row) => row.subject).sort(), inputs.map((input) => input.subject).sort());
      const verification = await verifyLedger(testStore.store.db, []);
      assert.deepEqual(verification.problems, []);
      assert.equal(verification.ok, true);
      assert.equal(verification.size, BigInt(count));
    });

    describe('verifyLedger', () => {
      const signer = parseSignerKey(generateNoteKey(TEST_LEDGER_ORIGIN).signerKey);
      const verifiers = [parseVerifierKey(signer.verifierKey)];
      let fixture: LedgerFixture;
      let db: Db;
      before(async () => {
        fixture = await openLedger(dialect, [signer]);
        db = fixture.db;
        const { ledger, clock } = fixture;
        await appendBatches(ledger, clock, [3, 4]);
        await ledger.checkpoint();
        await appendBatches(ledger, clock, [2, 4], 7);
        await ledger.checkpoint();
        await appendBatches(ledger, clock, [5, 2], 13);
        await ledger.checkpoint();
      });
      after(async () => {
        await fixture.testStore.cleanup();
      });

      async function entryAt(seq: number): Promise<LedgerEntryRow> {
        return db.selectFrom('ledger_entries').selectAll().where('seq', '=', String(seq)).executeTakeFirstOrThrow();
      }

      async function setLeaf(seq: number, leaf: string): Promise<void> {
        await db.updateTable('ledger_entries').set({ leaf }).where('seq', '=', String(seq)).execute();
      }

      async function setNode(level: number, index: number, hash: string): Promise<void> {
        await db
          .updateTable('ledger_nodes')
          .set({ hash })
          .where('level', '=', level)
          .where('idx', '=', String(index))
          .execute();
      }

      async function nodeAt(level: number, index: number): Promise<string> {
        const row = await db
          .selectFrom('ledger_nodes')
          .select('hash')
          .where('level', '=', level)
          .where('idx', '=', String(index))
          .executeTakeFirstOrThrow();
        return row.hash;
      }

      /** The leaf text of `seq` with different data, still canonical and otherwise well formed. */
      async function forgedLeaf(seq: number): Promise<string> {
        const parsed = parseLeaf((await entryAt(seq)).leaf);
        assert.ok(parsed.ok);
        return leafTextOf({ ...parsed.event, data: { n: seq, label: 'rewritten' } });
      }

      async function verify(): Promise<Awaited<ReturnType<typeof verifyLedger>>> {
        return verifyLedger(db, verifiers);
      }

      test('passes on the untouched ledger and checks every checkpoint', async () => {
        const verification = await verify();
        assert.deepEqual(verification.problems, []);
        assert.equal(verification.ok, true);
        assert.equal(verification.size, 20n);
        assert.equal(verification.checkpointsChecked, 3);
        assert.equal(verification.latestCheckpointSize, 20n);
        assert.equal(verification.firstBadIndex, undefined);
      });

      test('detects a changed leaf', async (t) => {
        const original = (await entryAt(5)).leaf;
        await setLeaf(5, await forgedLeaf(5));
        t.after(() => setLeaf(5, original));
        const verification = await verify();
        assert.equal(verification.ok, false);
        assert.equal(verification.firstBadIndex, 5n);
      });

      test('detects a changed leaf whose leaf hash was recomputed to match', async (t) => {
        const original = (await entryAt(6)).leaf;
        const originalHash = await nodeAt(0, 6);
        const forged = await forgedLeaf(6);
        await setLeaf(6, forged);
        await setNode(0, 6, hex(leafHash(utf8(forged))));
        t.after(async () => {
          await setLeaf(6, original);
          await setNode(0, 6, originalHash);
        });
        const verification = await verify();
        assert.equal(verification.ok, false);
        assert.equal(verification.firstBadIndex, 6n);
      });

      test('detects a column that no longer matches its leaf', async (t) => {
        const original = (await entryAt(9)).actor;
        const setActor = (actor: string) =>
          db.updateTable('ledger_entries').set({ actor }).where('seq', '=', '9').execute();
        await setActor('local:mallory');
        t.after(() => setActor(original));
        const verification = await verify();
        assert.equal(verification.ok, false);
        assert.equal(verification.firstBadIndex, 9n);
        assert.ok(verification.problems.some((problem) => problem.includes('actor')));
      });

      test('detects a deleted entry', async (t) => {
        const original = await entryAt(11);
        await db.deleteFrom('ledger_entries').where('seq', '=', '11').execute();
        t.after(() =>
          db
            .insertInto('ledger_entries')
            .values({ ...original, seq: String(original.seq) })
            .execute(),
        );
        const verification = await verify();
        assert.equal(verification.ok, false);
        assert.equal(verification.firstBadIndex, 11n);
      });

      test('detects two entries whose leaves were swapped', async (t) => {
        const [left, right] = [await entryAt(9), await entryAt(14)];
        const swap = async (a: string, b: string) => {
          await setLeaf(9, a);
          await setLeaf(14, b);
        };
        await swap(right.leaf, left.leaf);
        t.after(() => swap(left.leaf, right.leaf));
        const verification = await verify();
        assert.equal(verification.ok, false);
        assert.equal(verification.firstBadIndex, 9n);
      });

      test('detects a changed interior node hash', async (t) => {
        const original = await nodeAt(2, 2);
        await setNode(2, 2, hex(leafHash(utf8('not a subtree'))));
        t.after(() => setNode(2, 2, original));
        const verification = await verify();
        assert.equal(verification.ok, false);
        assert.equal(verification.firstBadIndex, 8n, 'the first leaf under level 2 index 2');
      });

      test('detects truncation through the checkpoint that covers more', async (t) => {
        const keep = 15;
        const head = await db.selectFrom('ledger_head').selectAll().executeTakeFirstOrThrow();
        const entries = await db.selectFrom('ledger_entries').selectAll().where('seq', '>=', String(keep)).execute();
        const nodes = (await db.selectFrom('ledger_nodes').selectAll().execute()).filter(
          (node) => (BigInt(node.idx) + 1n) << BigInt(node.level) > BigInt(keep),
        );
        assert.equal(entries.length, 5);
        const leaves = (await storedLeafHashes(db)).slice(0, keep);
        await db.transaction().execute(async (trx) => {
          await trx.deleteFrom('ledger_entries').where('seq', '>=', String(keep)).execute();
          for (const node of nodes) {
            await trx
              .deleteFrom('ledger_nodes')
              .where('level', '=', node.level)
              .where('idx', '=', String(node.idx))
              .execute();
          }
          await trx
            .updateTable('ledger_head')
            .set({ size: String(keep), root: hex(rootOf(leaves)) })
            .execute();
        });
        t.after(() =>
          db.transaction().execute(async (trx) => {
            await trx
              .insertInto('ledger_entries')
              .values(entries.map((entry) => ({ ...entry, seq: String(entry.seq) })))
              .execute();
            await trx
              .insertInto('ledger_nodes')
              .values(nodes.map((node) => ({ ...node, idx: String(node.idx) })))
              .execute();
            await trx
              .updateTable('ledger_head')
              .set({ size: String(head.size), root: head.root })
              .execute();
          }),
        );
        const verification = await verify();
        assert.equal(verification.ok, false);
        assert.equal(verification.size, 15n);
        assert.equal(verification.firstBadIndex, 15n);
        assert.equal(verification.problems.length, 1, 'only the checkpoint gives the truncation away');
      });

      test('detects a forged checkpoint note', async (t) => {
        const row = await db
          .selectFrom('ledger_checkpoints')
          .selectAll()
          .where('size', '=', '13')
          .executeTakeFirstOrThrow();
        const lines = row.note.split('\n');
        const rootLine = lines[2] ?? '';
        lines[2] = `${rootLine.startsWith('A') ? 'B' : 'A'}${rootLine.slice(1)}`;
        const setNote = (note: string) =>
          db.updateTable('ledger_checkpoints').set({ note }).where('size', '=', '13').execute();
        await setNote(lines.join('\n'));
        t.after(() => setNote(row.note));
        const verification = await verify();
        assert.equal(verification.ok, false);
        assert.equal(verification.firstBadIndex, undefined, 'every entry is sound');
        assert.equal(verification.checkpointsChecked, 2);
        assert.ok(verification.problems.some((problem) => problem.startsWith('checkpoint of size 13')));
      });

      test('passes again once every tampering is undone', async () => {
        const verification = await verify();
        assert.deepEqual(verification.problems, []);
        assert.equal(verification.ok, true);
      });
    });

    test('a checkpoint signed during key rotation opens with either verifier key alone', async (t) => {
      const keys = [generateNoteKey(TEST_LEDGER_ORIGIN), generateNoteKey(TEST_LEDGER_ORIGIN)];
      const fixture = await openLedger(
        dialect,
        keys.map((key) => parseSignerKey(key.signerKey)),
      );
      t.after(fixture.testStore.cleanup);
      await appendBatches(fixture.ledger, fixture.clock, [2, 1]);
      const stored = await fixture.ledger.checkpoint();
      assert.ok(stored !== undefined);
      const head = await fixture.ledger.head();

      for (const key of keys) {
        const opened = openSignedNote(stored.note, [key.verifierKey]);
        assert.deepEqual(opened.verifiedKeys, [key.verifierKey]);
        const body = parseCheckpointBody(opened.text);
        assert.equal(body.size, 3n);
        assert.equal(hex(body.root), hex(head.root));
        const verification = await verifyLedger(fixture.db, [parseVerifierKey(key.verifierKey)]);
        assert.deepEqual(verification.problems, []);
        assert.equal(verification.checkpointsChecked, 1);
      }
      const stranger = generateNoteKey(TEST_LEDGER_ORIGIN);
      assert.throws(() => openSignedNote(stored.note, [stranger.verifierKey]), /no signature by a known key/);
    });
  });
}
