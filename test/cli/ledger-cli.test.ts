import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { hexToBytes } from '@noble/hashes/utils.js';
import { openStore, type StoreOptions } from '../../src/store/index.js';
import { runInProcess } from '../support/cli-runner.js';
import { checkInclusion, leafHashOf, openSignedNote, parseCheckpointBody } from '../support/independent-verifier.js';
import { sharedPostgres, stopSharedPostgres } from '../support/postgres-cluster.js';
import { DIALECTS } from '../support/test-store.js';

after(stopSharedPostgres);

const DEFAULT_ORIGIN = 'sre-agent.local/ledger';

interface ProveOutput {
  readonly index: string;
  readonly leaf: string;
  readonly treeSize: string;
  readonly proof: ReadonlyArray<string>;
  readonly checkpoint: string;
}

function isProveOutput(value: unknown): value is ProveOutput {
  if (value === null || typeof value !== 'object') return false;
  const fields: Record<string, unknown> = { ...value };
  return (
    typeof fields.index === 'string' &&
    typeof fields.leaf === 'string' &&
    typeof fields.treeSize === 'string' &&
    typeof fields.checkpoint === 'string' &&
    Array.isArray(fields.proof) &&
    fields.proof.every((hash) => typeof hash === 'string')
  );
}

async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Flips the low bit of one byte inside the first leaf, so the file stays JSON but no longer matches its seal. */
async function flipByteOfFirstLeaf(file: string): Promise<void> {
  const bytes = await readFile(file);
  const at = bytes.indexOf('"leaf": "') + '"leaf": "'.length + 10;
  assert.ok(at > 20, 'the bundle has no leaf');
  bytes.writeUInt8((bytes.readUInt8(at) ^ 1) & 0xff, at);
  await writeFile(file, bytes);
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: sre-agent ledger`, () => {
    test('verifies, checkpoints, exports, proves, replays and erases, and finds a tampered leaf', async (t) => {
      const dataDir = await tempDir(t, 'sre-ledger-cli-');
      const env: Record<string, string> = {};
      let storeOptions: StoreOptions = { dialect: 'sqlite', file: join(dataDir, 'sre-agent.db') };
      if (dialect === 'postgres') {
        const url = await (await sharedPostgres()).createDatabase();
        env.DATABASE_URL = url;
        storeOptions = { dialect: 'postgres', url, poolSize: 1 };
      }
      const storage = ['--data-dir', dataDir];
      const run = (argv: ReadonlyArray<string>) => runInProcess([...argv, ...storage], env);

      for (const name of ['alice', 'bob']) {
        const created = await run(['token', 'create', '--name', name, '--role', 'viewer']);
        assert.equal(created.code, 0, created.stderr);
      }

      const verified = await run(['ledger', 'verify']);
      assert.equal(verified.code, 0, verified.stdout + verified.stderr);
      assert.match(
        verified.stdout,
        /^the ledger verifies: 2 entries, root [0-9a-f]{64}, \d+ signed checkpoints checked\n$/,
      );

      const checkpoint = await run(['ledger', 'checkpoint']);
      assert.equal(checkpoint.code, 0, checkpoint.stderr);
      const key = await run(['ledger', 'key']);
      assert.equal(key.code, 0, key.stderr);
      const vkey = key.stdout.trim();
      assert.ok(vkey.startsWith(`${DEFAULT_ORIGIN}+`), vkey);
      const opened = openSignedNote(checkpoint.stdout, [vkey]);
      assert.deepEqual(opened.verifiedKeys, [vkey]);
      const signed = parseCheckpointBody(opened.text);
      assert.equal(signed.origin, DEFAULT_ORIGIN);
      assert.equal(signed.size, 2n);

      const unwritable = await run(['ledger', 'export', '-o', join(dataDir, 'no-such-dir', 'evidence.json')]);
      assert.equal(unwritable.code, 2, unwritable.stderr);
      assert.match(unwritable.stderr, /cannot write .*evidence\.json/);

      const bundle = join(dataDir, 'evidence.json');
      const exported = await run(['ledger', 'export', '--type', 'token.created', '-o', bundle]);
      assert.equal(exported.code, 0, exported.stderr);
      assert.match(exported.stderr, /wrote 2 entries with their proofs/);
      const bundleChecked = await runInProcess(['ledger', 'verify', bundle, '--key', vkey]);
      assert.equal(bundleChecked.code, 0, bundleChecked.stdout + bundleChecked.stderr);
      assert.match(
        bundleChecked.stdout,
        /verified 2 entries against the checkpoint of size 3 of sre-agent\.local\/ledger/,
      );
      assert.equal(bundleChecked.stderr, '', 'a bundle checked with a trusted key needs no warning');

      await flipByteOfFirstLeaf(bundle);
      const flipped = await runInProcess(['ledger', 'verify', bundle, '--key', vkey]);
      assert.equal(flipped.code, 1, flipped.stdout + flipped.stderr);
      assert.match(flipped.stdout, /FAILED/);

      const proved = await run(['ledger', 'prove', '0']);
      assert.equal(proved.code, 0, proved.stderr);
      const proof: unknown = JSON.parse(proved.stdout);
      assert.ok(isProveOutput(proof), proved.stdout);
      assert.equal(proof.index, '0');
      const covering = parseCheckpointBody(openSignedNote(proof.checkpoint, [vkey]).text);
      assert.equal(covering.size, BigInt(proof.treeSize));
      assert.ok(
        checkInclusion(
          0n,
          covering.size,
          leafHashOf(Buffer.from(proof.leaf, 'base64')),
          proof.proof.map((hash) => hexToBytes(hash)),
          covering.root,
        ),
        'the inclusion proof of entry 0 does not lead to the signed root',
      );

      const replayed = await run(['ledger', 'replay']);
      assert.equal(replayed.code, 0, replayed.stdout + replayed.stderr);
      assert.match(replayed.stdout, /match the live tables/);

      const erased = await run(['ledger', 'erase-restricted', '0', '--reason', 'GDPR request 42']);
      assert.equal(erased.code, 0, erased.stderr);
      assert.match(erased.stderr, /erased the restricted data of entry 0; recorded as entry 3/);
      const erasedAgain = await run(['ledger', 'erase-restricted', '0', '--reason', 'GDPR request 42']);
      assert.equal(erasedAgain.code, 1, 'there is nothing left to erase');
      const afterErasure = await run(['ledger', 'verify', '--json']);
      assert.equal(afterErasure.code, 0, afterErasure.stdout + afterErasure.stderr);
      const report: unknown = JSON.parse(afterErasure.stdout);
      assert.ok(report !== null && typeof report === 'object' && 'ok' in report && 'size' in report);
      assert.equal(report.ok, true);
      assert.equal(report.size, '4');

      const store = await openStore(storeOptions);
      try {
        const entry = await store.db
          .selectFrom('ledger_entries')
          .select('leaf')
          .where('seq', '=', '1')
          .executeTakeFirstOrThrow();
        const forged = entry.leaf.replace('"name":"bob"', '"name":"eve"');
        assert.notEqual(forged, entry.leaf);
        await store.db.updateTable('ledger_entries').set({ leaf: forged }).where('seq', '=', '1').execute();
      } finally {
        await store.close();
      }
      const tampered = await run(['ledger', 'verify']);
      assert.equal(tampered.code, 1, tampered.stdout + tampered.stderr);
      assert.match(tampered.stdout, /the first bad index is 1\n/);
    });
  });
}

describe('sre-agent ledger key', () => {
  test('refuses a key file others can read, and says how to fix it', async (t) => {
    const dataDir = await tempDir(t, 'sre-ledger-key-');
    const first = await runInProcess(['ledger', 'key', '--data-dir', dataDir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /created a new signing key in .*ledger\.key/);
    const keyFile = join(dataDir, 'ledger.key');
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);

    await chmod(keyFile, 0o644);
    const refused = await runInProcess(['ledger', 'key', '--data-dir', dataDir]);
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, '');
    assert.match(
      refused.stderr,
      /ledger key file .*ledger\.key can be read by others \(mode 644\); run chmod 600 on it/,
    );
  });

  test('generate writes a 0600 key for the configured origin that signs checkpoints, and never overwrites', async (t) => {
    const dataDir = await tempDir(t, 'sre-ledger-key-');
    const origin = 'bank.example/sre-agent';
    const env = { SRE_AGENT_LEDGER_ORIGIN: origin };
    const keyFile = join(dataDir, 'rotated.key');

    const generated = await runInProcess(['ledger', 'key', 'generate', '-o', keyFile, '--data-dir', dataDir], env);
    assert.equal(generated.code, 0, generated.stderr);
    const vkey = generated.stdout.trim();
    assert.ok(vkey.startsWith(`${origin}+`), vkey);
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    assert.ok(!generated.stdout.includes((await readFile(keyFile, 'utf8')).trim()), 'the signing key was printed');

    const signed = await runInProcess(['ledger', 'checkpoint', '--data-dir', dataDir], {
      ...env,
      SRE_AGENT_LEDGER_KEY_FILE: keyFile,
    });
    assert.equal(signed.code, 0, signed.stderr);
    assert.equal(parseCheckpointBody(openSignedNote(signed.stdout, [vkey]).text).origin, origin);

    const again = await runInProcess(['ledger', 'key', 'generate', '-o', keyFile, '--data-dir', dataDir], env);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /cannot create .*rotated\.key/);
  });
});
