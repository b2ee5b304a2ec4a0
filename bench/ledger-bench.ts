/**
 * The ledger: appends on SQLite and PostgreSQL at their default durability, inclusion proofs generated from the
 * store and verified in memory, a full `verifyLedger` pass over a large ledger, and checkpoint signatures. Each
 * figure sits beside an anchor measured in the same run: a bare commit or a one-row read on the same store, SHA-256
 * or Ed25519 from node:crypto. A ratio is the subject's time per operation over the anchor's.
 * @module
 */
import { execFile } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { SystemClock } from '../src/clock/index.js';
import {
  generateNoteKey,
  type Hash,
  Ledger,
  type LedgerSigning,
  leafBytesOf,
  leafHash,
  type NewLedgerEvent,
  openCheckpoint,
  ProjectorRegistry,
  parseCheckpoint,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  verifyInclusion,
  verifyLedger,
} from '../src/ledger/index.js';
import { type Db, openStore, type Store } from '../src/store/index.js';
import { reasonOf, shellQuote, startPostgresCluster } from '../test/support/postgres-cluster.js';
import { describeSqlite, withCleanup } from './bench-stores.js';
import {
  type BenchOptions,
  type BenchOutcome,
  formatCount,
  formatMs,
  formatRate,
  formatRatio,
  measureInTurn,
  median,
  meter,
  type RateFigures,
  rateOf,
  timeAlternately,
  verdict,
} from './measure.js';

export type { RateFigures } from './measure.js';

const execFileAsync = promisify(execFile);

const ORIGIN = 'bench.sre-agent.example/ledger';
const BATCH = 100;
const BUILD_TRANSACTION = 5_000;
const CHECKPOINT_EVERY = 100_000;
/** Past this the build stops where it is, and the verification figure is extrapolated from the size reached. */
const BUILD_BUDGET_MS = 20 * 60 * 1000;
const PROOF_SAMPLES = 1_024;
const HASH_INPUT_BYTES = 64;
const HASH_BATCH = 2_000;
const SIGNATURE_BATCH = 50;
const RESTART_TIMEOUT_MS = 90_000;

const TARGET_EVENTS_PER_SECOND = 10_000;
const TARGET_VERIFY_ENTRIES = 1_000_000;
const TARGET_VERIFY_MS = 10_000;
const TARGET_PROOFS_VERIFIED_PER_SECOND = 10_000;

const oneDecimal = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export interface LedgerBenchSettings {
  /** Entries in the ledger that `verifyLedger` checks. */
  readonly entries: number;
  /** Whether to start a throwaway PostgreSQL cluster for the PostgreSQL figures. */
  readonly postgres: boolean;
}

/** Two synchronous batches timed in turn; rates are per operation, from each side's median run. */
export interface PairFigures {
  readonly runs: number;
  readonly subjectPerSecond: number;
  readonly anchorPerSecond: number;
  /** Median time of a subject batch over that of an anchor batch. */
  readonly ratio: number;
}

export interface AppendFigures {
  /** The database and the durability settings read back from it. */
  readonly store: string;
  readonly single: RateFigures;
  /** Events per second; latencies per commit of BATCH events. */
  readonly batched: RateFigures;
  readonly bareCommit: RateFigures;
}

export interface ProofGenerationFigures {
  readonly store: string;
  readonly treeSize: bigint;
  readonly proofs: RateFigures;
  readonly headReads: RateFigures;
}

export interface PostgresFigures {
  readonly appends: AppendFigures;
  readonly proofGeneration: ProofGenerationFigures;
}

export type PostgresOutcome = BenchOutcome<PostgresFigures>;

export interface BuildFigures {
  readonly requested: number;
  readonly built: number;
  readonly ms: number;
  readonly checkpoints: number;
  readonly stoppedAtBudget: boolean;
}

export interface VerificationFigures {
  readonly entries: bigint;
  readonly checkpoints: number;
  readonly ms: number;
}

export interface ProofVerificationFigures {
  readonly treeSize: bigint;
  readonly proofs: number;
  readonly hashesPerProof: number;
  /** Subject: verifyInclusion over every sampled proof; anchor: as many createHash calls as those proofs hash. */
  readonly pair: PairFigures;
}

export interface LedgerBenchResult {
  /** createHash (subject) against crypto.hash (anchor), SHA-256 of 64 bytes; without crypto.hash, createHash twice. */
  readonly hashing: PairFigures;
  readonly oneShotHash: boolean;
  readonly sqliteAppends: AppendFigures;
  readonly postgres: PostgresOutcome;
  readonly build: BuildFigures;
  readonly verification: VerificationFigures;
  readonly proofGeneration: ProofGenerationFigures;
  readonly proofVerification: ProofVerificationFigures;
  /** signCheckpoint against crypto.sign with a cached KeyObject. */
  readonly checkpointSign: PairFigures;
  /** openCheckpoint against crypto.verify with a cached KeyObject. */
  readonly checkpointOpen: PairFigures;
}

export async function ledgerBench(options: BenchOptions, settings: LedgerBenchSettings): Promise<LedgerBenchResult> {
  const signing = benchSigning();

  const sqliteAppends = await withCleanup('ledger', async (defer) => {
    const dir = await mkdtemp(join(tmpdir(), 'sre-bench-ledger-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const store = await openStore({ dialect: 'sqlite', file: join(dir, 'appends.db') });
    defer(() => store.close());
    const ledger = benchLedger(store, signing);
    return appendFigures(ledger, store.db, await describeSqlite(store.db), options);
  });

  const postgres: PostgresOutcome = settings.postgres
    ? await postgresOutcome(signing, options)
    : { status: 'skipped', reason: 'BENCH_POSTGRES=0' };

  const large = await withCleanup('ledger', async (defer) => {
    const dir = await mkdtemp(join(tmpdir(), 'sre-bench-ledger-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const store = await openStore({ dialect: 'sqlite', file: join(dir, 'large.db') });
    defer(() => store.close());
    const ledger = benchLedger(store, signing);
    const description = await describeSqlite(store.db);
    const { build, samples } = await buildLedger(ledger, settings.entries);
    const verification = await timeVerification(store.db, ledger);
    const proofGeneration = await proofGenerationFigures(ledger, description, options);
    const head = await ledger.head();
    const proofs = await Promise.all(
      samples.map(async (sample) => ({ ...sample, proof: await ledger.inclusionProof(sample.index, head.size) })),
    );
    const note = (await ledger.latestCheckpoint())?.note;
    if (note === undefined) throw new Error('the large ledger has no checkpoint');
    return { build, verification, proofGeneration, proofs, root: head.root, size: head.size, note };
  });

  const proofVerification = proofVerificationFigures(large.proofs, large.size, large.root, options.seconds);
  const checkpoints = checkpointFigures(large.note, signing, options.seconds);
  const input = nodeCrypto.randomBytes(HASH_INPUT_BYTES);
  const oneShot = oneShotSha256();
  const hashing = pairFigures(
    () => repeat(HASH_BATCH, () => createHashSha256(input)),
    HASH_BATCH,
    () => repeat(HASH_BATCH, () => (oneShot ?? createHashSha256)(input)),
    HASH_BATCH,
    options.seconds,
  );
  return {
    hashing,
    oneShotHash: oneShot !== undefined,
    sqliteAppends,
    postgres,
    build: large.build,
    verification: large.verification,
    proofGeneration: large.proofGeneration,
    proofVerification,
    checkpointSign: checkpoints.sign,
    checkpointOpen: checkpoints.open,
  };
}

export function formatLedgerBench(result: LedgerBenchResult): ReadonlyArray<string> {
  const createHashRate = result.hashing.subjectPerSecond;
  const oneShot = result.oneShotHash
    ? `crypto.hash: ${formatRate(result.hashing.anchorPerSecond)} hashes/s (createHash/crypto.hash time ${formatRatio(result.hashing.ratio)})`
    : 'crypto.hash: not in this Node';
  const lines = [
    `ledger anchors (node:crypto, same run): SHA-256 of ${HASH_INPUT_BYTES} B by createHash: ${formatRate(createHashRate)} hashes/s` +
      ` | ${oneShot} | Ed25519 crypto.sign (cached KeyObject): ${formatRate(result.checkpointSign.anchorPerSecond)}/s` +
      ` | Ed25519 crypto.verify (cached KeyObject): ${formatRate(result.checkpointOpen.anchorPerSecond)}/s`,
    ...formatAppends(result.sqliteAppends, true),
  ];
  switch (result.postgres.status) {
    case 'measured':
      lines.push(...formatAppends(result.postgres.figures.appends, false));
      break;
    case 'skipped':
      lines.push(`ledger PostgreSQL figures skipped (${result.postgres.reason})`);
      break;
    case 'failed':
      lines.push(`ledger PostgreSQL figures FAILED: ${result.postgres.reason}`);
      break;
  }

  const build = result.build;
  const budgetNote = build.stoppedAtBudget
    ? ` (STOPPED at the ${formatCount(BUILD_BUDGET_MS / 60_000)}-minute build budget; ${formatCount(build.requested)} requested)`
    : '';
  lines.push(
    `ledger build (SQLite, ${formatCount(BUILD_TRANSACTION)} events per transaction, a checkpoint every ` +
      `${formatCount(CHECKPOINT_EVERY)} and at the end): ${formatCount(build.built)} entries in ${formatSeconds(build.ms)}` +
      ` (${formatRate((build.built * 1000) / build.ms)} events/s, ${plural(build.checkpoints, 'checkpoint')})${budgetNote}`,
  );

  const verification = result.verification;
  const entries = Number(verification.entries);
  const hashes = 2 * entries - 1;
  const hashingMs = (hashes * 1000) / createHashRate;
  const atTarget = entries === TARGET_VERIFY_ENTRIES;
  const targetMs = (verification.ms * TARGET_VERIFY_ENTRIES) / entries;
  const extrapolation = atTarget
    ? ''
    : ` | EXTRAPOLATED linearly from ${formatCount(entries)} to ${formatCount(TARGET_VERIFY_ENTRIES)} entries: ${formatSeconds(targetMs)}`;
  lines.push(
    `ledger verifyLedger (SQLite, ${formatCount(entries)} entries, ${plural(verification.checkpoints, 'checkpoint')}): ` +
      `${formatDuration(verification.ms)} (${formatRate((entries * 1000) / verification.ms)} entries/s)${extrapolation}` +
      ` | anchor ${formatCount(hashes)} SHA-256 hashes of ${HASH_INPUT_BYTES} B by createHash (2n - 1, one per node): ` +
      `${formatDuration(hashingMs)}` +
      ` | ratio ${formatRatio(verification.ms / hashingMs)}` +
      ` | target ≤ ${formatSeconds(TARGET_VERIFY_MS)} for ${formatCount(TARGET_VERIFY_ENTRIES)} entries: ` +
      `${verdict(targetMs <= TARGET_VERIFY_MS)}${atTarget ? '' : ' (extrapolated)'}`,
  );

  lines.push(formatProofGeneration(result.proofGeneration));
  if (result.postgres.status === 'measured') lines.push(formatProofGeneration(result.postgres.figures.proofGeneration));

  const proofs = result.proofVerification;
  lines.push(
    `ledger inclusion proof verify (verifyInclusion, tree of ${formatCount(Number(proofs.treeSize))}, ` +
      `${formatCount(proofs.proofs)} proofs of ${oneDecimal.format(proofs.hashesPerProof)} hashes on average): ` +
      `${formatRate(proofs.pair.subjectPerSecond)} proofs/s (median of ${proofs.pair.runs})` +
      ` | anchor the same SHA-256 hashes by createHash (${HASH_INPUT_BYTES} B): ` +
      `${formatRate(proofs.pair.anchorPerSecond / proofs.hashesPerProof)} proofs' worth/s` +
      ` | ratio ${formatRatio(proofs.pair.ratio)}` +
      ` | target ≥ ${formatCount(TARGET_PROOFS_VERIFIED_PER_SECOND)} proofs/s: ` +
      verdict(proofs.pair.subjectPerSecond >= TARGET_PROOFS_VERIFIED_PER_SECOND),
  );
  lines.push(
    `ledger checkpoint sign (signCheckpoint, 1 Ed25519 signer): ${formatRate(result.checkpointSign.subjectPerSecond)}/s` +
      ` | anchor Ed25519 crypto.sign (cached KeyObject): ${formatRate(result.checkpointSign.anchorPerSecond)}/s` +
      ` | ratio ${formatRatio(result.checkpointSign.ratio)}`,
    `ledger checkpoint open (openCheckpoint, 1 Ed25519 verifier): ${formatRate(result.checkpointOpen.subjectPerSecond)}/s` +
      ` | anchor Ed25519 crypto.verify (cached KeyObject): ${formatRate(result.checkpointOpen.anchorPerSecond)}/s` +
      ` | ratio ${formatRatio(result.checkpointOpen.ratio)}`,
  );
  return lines;
}

function formatAppends(figures: AppendFigures, withTarget: boolean): string[] {
  const bare = figures.bareCommit;
  const anchor =
    `anchor bare commit (one-row UPDATE, same store): ${formatRate(bare.perSecond)} commits/s, ` +
    `p50 ${formatMs(bare.p50Ms)}, p99 ${formatMs(bare.p99Ms)}`;
  const single = figures.single;
  const batched = figures.batched;
  const commitsPerSecond = batched.perSecond / BATCH;
  const target = withTarget
    ? ` | target ≥ ${formatCount(TARGET_EVENTS_PER_SECOND)} events/s: ${verdict(batched.perSecond >= TARGET_EVENTS_PER_SECOND)}`
    : '';
  return [
    `ledger append, ${figures.store}, 1 event per transaction: ${formatRate(single.perSecond)} events/s, ` +
      `p50 ${formatMs(single.p50Ms)}, p99 ${formatMs(single.p99Ms)} | ${anchor}` +
      ` | ratio ${formatRatio(bare.perSecond / single.perSecond)}`,
    `ledger append, ${figures.store}, ${BATCH} events per transaction: ${formatRate(batched.perSecond)} events/s ` +
      `(${formatRate(commitsPerSecond)} commits/s, p50 ${formatMs(batched.p50Ms)}, p99 ${formatMs(batched.p99Ms)})` +
      ` | ${anchor} | ratio per commit ${formatRatio(bare.perSecond / commitsPerSecond)}${target}`,
  ];
}

function formatProofGeneration(figures: ProofGenerationFigures): string {
  const proofs = figures.proofs;
  const heads = figures.headReads;
  return (
    `ledger inclusion proof generate (Ledger.inclusionProof, ${figures.store}, tree of ${formatCount(Number(figures.treeSize))}): ` +
    `${formatRate(proofs.perSecond)} proofs/s, p50 ${formatMs(proofs.p50Ms)}, p99 ${formatMs(proofs.p99Ms)}` +
    ` | anchor head read (Ledger.head, one-row select): ${formatRate(heads.perSecond)} reads/s, p50 ${formatMs(heads.p50Ms)}` +
    ` | ratio ${formatRatio(heads.perSecond / proofs.perSecond)}`
  );
}

function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

function formatSeconds(milliseconds: number): string {
  return `${oneDecimal.format(milliseconds / 1000)} s`;
}

function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? formatMs(milliseconds) : formatSeconds(milliseconds);
}

function benchSigning(): LedgerSigning {
  return { origin: ORIGIN, signers: [parseSignerKey(generateNoteKey(ORIGIN).signerKey)] };
}

function benchLedger(store: Store, signing: LedgerSigning): Ledger {
  return Ledger.create({ db: store.db, clock: SystemClock.create(), projectors: ProjectorRegistry.of([]), signing });
}

/** Events shaped like real decisions, each one different. */
function eventSource(): () => NewLedgerEvent {
  let count = 0;
  return () => {
    count += 1;
    return {
      actor: 'system:bench',
      type: 'bench.decision_recorded',
      subject: `service:service-${String(count % 1000).padStart(4, '0')}`,
      data: { number: count, outcome: 'acknowledged', reason: 'synthetic event recorded by the ledger benchmark' },
    };
  };
}

/** Leaf indexes spread over [0, size) by xorshift32, the same on every run. */
function indexSource(size: bigint): () => bigint {
  let state = 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return BigInt(Math.floor(((state >>> 0) / 2 ** 32) * Number(size)));
  };
}

async function appendFigures(ledger: Ledger, db: Db, store: string, options: BenchOptions): Promise<AppendFigures> {
  const nextEvent = eventSource();
  const single = meter(async () => {
    await ledger.append(nextEvent());
    return 1;
  });
  const batched = meter(async () => {
    await ledger.transact(async (tx) => {
      for (let i = 0; i < BATCH; i += 1) await tx.append(nextEvent());
    });
    return BATCH;
  });
  // A row of its own: SQLite skips writing a row set to its own value, so a no-op UPDATE would commit nothing.
  await sql`create table bench_commit (id integer primary key, n bigint not null)`.execute(db);
  await sql`insert into bench_commit (id, n) values (1, 0)`.execute(db);
  const bareCommit = meter(async () => {
    await db.transaction().execute((trx) => sql`update bench_commit set n = n + 1 where id = 1`.execute(trx));
    return 1;
  });
  await measureInTurn([single, batched, bareCommit], options.seconds);
  return { store, single: rateOf(single), batched: rateOf(batched), bareCommit: rateOf(bareCommit) };
}

async function proofGenerationFigures(
  ledger: Ledger,
  store: string,
  options: BenchOptions,
): Promise<ProofGenerationFigures> {
  const { size } = await ledger.head();
  const nextIndex = indexSource(size);
  const proofs = meter(async () => {
    await ledger.inclusionProof(nextIndex(), size);
    return 1;
  });
  const headReads = meter(async () => {
    await ledger.head();
    return 1;
  });
  await measureInTurn([proofs, headReads], options.seconds);
  return { store, treeSize: size, proofs: rateOf(proofs), headReads: rateOf(headReads) };
}

interface LeafSample {
  readonly index: bigint;
  readonly leaf: Hash;
}

/** Appends `entries` events in large transactions, checkpointing as it goes, and keeps the leaf hash of a sample. */
async function buildLedger(
  ledger: Ledger,
  entries: number,
): Promise<{ readonly build: BuildFigures; readonly samples: ReadonlyArray<LeafSample> }> {
  const stride = BigInt(Math.max(1, Math.floor(entries / PROOF_SAMPLES)));
  const samples: LeafSample[] = [];
  const nextEvent = eventSource();
  let built = 0;
  let checkpoints = 0;
  let stoppedAtBudget = false;
  const start = performance.now();
  while (built < entries) {
    const count = Math.min(BUILD_TRANSACTION, entries - built);
    await ledger.transact(async (tx) => {
      for (let i = 0; i < count; i += 1) {
        const event = await tx.append(nextEvent());
        if (event.seq % stride === 0n) samples.push({ index: event.seq, leaf: leafHash(leafBytesOf(event)) });
      }
    });
    const before = built;
    built += count;
    if (Math.floor(built / CHECKPOINT_EVERY) > Math.floor(before / CHECKPOINT_EVERY) || built === entries) {
      await ledger.checkpoint();
      checkpoints += 1;
    }
    if (built < entries && performance.now() - start > BUILD_BUDGET_MS) {
      stoppedAtBudget = true;
      if (built % CHECKPOINT_EVERY !== 0) {
        await ledger.checkpoint();
        checkpoints += 1;
      }
      break;
    }
  }
  return {
    build: { requested: entries, built, ms: performance.now() - start, checkpoints, stoppedAtBudget },
    samples,
  };
}

async function timeVerification(db: Db, ledger: Ledger): Promise<VerificationFigures> {
  const start = performance.now();
  const verification = await verifyLedger(db, ledger.verifiers);
  const ms = performance.now() - start;
  if (!verification.ok) {
    throw new Error(`verifyLedger failed on the benchmark ledger: ${verification.problems.slice(0, 5).join('; ')}`);
  }
  return { entries: verification.size, checkpoints: verification.checkpointsChecked, ms };
}

function proofVerificationFigures(
  proofs: ReadonlyArray<LeafSample & { readonly proof: ReadonlyArray<Hash> }>,
  size: bigint,
  root: Hash,
  seconds: number,
): ProofVerificationFigures {
  const verifyAll = (): number => {
    let valid = 0;
    for (const { index, leaf, proof } of proofs) if (verifyInclusion(index, size, leaf, proof, root)) valid += 1;
    return valid;
  };
  if (verifyAll() !== proofs.length) throw new Error('an inclusion proof from the store did not verify');
  const hashes = proofs.reduce((total, { proof }) => total + proof.length, 0);
  const input = nodeCrypto.randomBytes(HASH_INPUT_BYTES);
  const pair = pairFigures(
    verifyAll,
    proofs.length,
    () => repeat(hashes, () => createHashSha256(input)),
    hashes,
    seconds,
  );
  return { treeSize: size, proofs: proofs.length, hashesPerProof: hashes / proofs.length, pair };
}

function checkpointFigures(
  note: string,
  signing: LedgerSigning,
  seconds: number,
): { readonly sign: PairFigures; readonly open: PairFigures } {
  const text = parseNote(note).text;
  const checkpoint = parseCheckpoint(text);
  const verifiers = signing.signers.map((signer) => parseVerifierKey(signer.verifierKey));
  const message = new TextEncoder().encode(text);
  const { privateKey, publicKey } = nodeCrypto.generateKeyPairSync('ed25519');
  const signature = nodeCrypto.sign(null, message, privateKey);
  const sign = pairFigures(
    () => repeat(SIGNATURE_BATCH, () => signCheckpoint(checkpoint, signing.signers)),
    SIGNATURE_BATCH,
    () => repeat(SIGNATURE_BATCH, () => nodeCrypto.sign(null, message, privateKey)),
    SIGNATURE_BATCH,
    seconds,
  );
  const open = pairFigures(
    () => repeat(SIGNATURE_BATCH, () => openCheckpoint(note, verifiers, ORIGIN)),
    SIGNATURE_BATCH,
    () => repeat(SIGNATURE_BATCH, () => nodeCrypto.verify(null, message, publicKey, signature)),
    SIGNATURE_BATCH,
    seconds,
  );
  return { sign, open };
}

function pairFigures(
  subject: () => unknown,
  subjectOps: number,
  anchor: () => unknown,
  anchorOps: number,
  seconds: number,
): PairFigures {
  subject();
  anchor();
  const timings = timeAlternately(subject, anchor, seconds);
  const subjectMs = median(timings.subject);
  const anchorMs = median(timings.anchor);
  return {
    runs: timings.subject.length,
    subjectPerSecond: (subjectOps * 1000) / subjectMs,
    anchorPerSecond: (anchorOps * 1000) / anchorMs,
    ratio: subjectMs / anchorMs,
  };
}

/** Calls `action` `times` times and keeps the last answer, so the calls cannot be optimised away. */
function repeat(times: number, action: () => unknown): unknown {
  let last: unknown;
  for (let i = 0; i < times; i += 1) last = action();
  return last;
}

function createHashSha256(input: Uint8Array): Buffer {
  return nodeCrypto.createHash('sha256').update(input).digest();
}

/** crypto.hash (Node 20.12 and later), or undefined where this Node lacks it. */
function oneShotSha256(): ((input: Uint8Array) => Buffer) | undefined {
  const hash: unknown = Reflect.get(nodeCrypto, 'hash');
  if (typeof hash !== 'function') return undefined;
  return (input) => nodeCrypto.hash('sha256', input, 'buffer');
}

/**
 * The test cluster runs with fsync, synchronous_commit and full_page_writes off, set on its command line where
 * ALTER SYSTEM cannot override them, so the bench restarts it without them: PostgreSQL's defaults.
 */
async function postgresOutcome(signing: LedgerSigning, options: BenchOptions): Promise<PostgresOutcome> {
  try {
    const figures = await withCleanup('ledger', async (defer) => {
      const cluster = await startPostgresCluster();
      defer(() => cluster.stop());
      const url = await cluster.createDatabase();
      const first = await openStore({ dialect: 'postgres', url });
      const started = await serverSettings(first.db).finally(() => first.close());
      await restartWithDefaultDurability(started);

      const store = await openStore({ dialect: 'postgres', url });
      defer(() => store.close());
      const settings = await serverSettings(store.db);
      const description =
        `PostgreSQL ${setting(settings, 'server_version').split(' ')[0]} (fsync=${setting(settings, 'fsync')}, ` +
        `synchronous_commit=${setting(settings, 'synchronous_commit')}, ` +
        `full_page_writes=${setting(settings, 'full_page_writes')})`;
      const ledger = benchLedger(store, signing);
      const appends = await appendFigures(ledger, store.db, description, options);
      const proofGeneration = await proofGenerationFigures(ledger, description, options);
      return { appends, proofGeneration };
    });
    return { status: 'measured', figures };
  } catch (error: unknown) {
    return { status: 'failed', reason: reasonOf(error) };
  }
}

const SETTINGS = [
  'server_version',
  'data_directory',
  'listen_addresses',
  'port',
  'unix_socket_directories',
  'max_connections',
  'fsync',
  'synchronous_commit',
  'full_page_writes',
] as const;

type ServerSettings = ReadonlyMap<string, string>;

async function serverSettings(db: Db): Promise<ServerSettings> {
  const result = await sql<{ name: string; setting: string }>`
    select name, setting from pg_settings where name in (${sql.join([...SETTINGS])})
  `.execute(db);
  return new Map(result.rows.map((row) => [row.name, row.setting]));
}

function setting(settings: ServerSettings, name: (typeof SETTINGS)[number]): string {
  const value = settings.get(name);
  if (value === undefined) throw new Error(`the server did not report ${name}`);
  return value;
}

/** pg_ctl restart with the cluster's address and socket but none of its durability switches. */
async function restartWithDefaultDurability(settings: ServerSettings): Promise<void> {
  const dataDir = setting(settings, 'data_directory');
  const clusterDir = dirname(dataDir);
  // postmaster.opts starts with the server binary's path; pg_ctl sits beside it.
  const opts = await readFile(join(dataDir, 'postmaster.opts'), 'utf8');
  const server = opts.split(' "')[0]?.trim();
  if (server === undefined || server === '') throw new Error('cannot find the server binary in postmaster.opts');
  const pgCtl = join(dirname(server), 'pg_ctl');
  const serverOptions = [
    `listen_addresses=${setting(settings, 'listen_addresses')}`,
    `port=${setting(settings, 'port')}`,
    `unix_socket_directories=${shellQuote(setting(settings, 'unix_socket_directories'))}`,
    `max_connections=${setting(settings, 'max_connections')}`,
  ]
    .map((option) => `-c ${option}`)
    .join(' ');
  const args = [
    'restart',
    '-D',
    dataDir,
    '-m',
    'fast',
    '-w',
    '-t',
    '60',
    '-l',
    join(clusterDir, 'postgres.log'),
    '-o',
    serverOptions,
  ];
  // As root the cluster belongs to the postgres user, as in postgres-cluster.ts.
  const [file, fileArgs] =
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', pgCtl, ...args]] : [pgCtl, args];
  await execFileAsync(file, fileArgs, { cwd: clusterDir, timeout: RESTART_TIMEOUT_MS, killSignal: 'SIGKILL' });
}
