import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { generateNoteKey, inclusionProof, leafHash, memoryRangeHasher, rootOf, toHex } from '../../src/ledger/index.js';
import {
  bytesFromBase64,
  hexOf,
  parseVerifierKey,
  rootFromInclusionProof,
  verifyInclusion,
} from '../../src/web/lib/ledger-proof.js';
import { stopSharedPostgres } from '../support/postgres-cluster.js';
import { buildTestApp } from '../support/test-app.js';

after(stopSharedPostgres);

const leavesOf = (count: number) =>
  Array.from({ length: count }, (_, index) => leafHash(new TextEncoder().encode(`leaf ${index}`)));

describe("the dashboard's in-browser ledger verifier", () => {
  test('agrees with the server-side Merkle tree on every index of trees up to 300 leaves', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 300 })
          .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }))),
        async ([size, index]) => {
          const leaves = leavesOf(size);
          const proof = inclusionProof(BigInt(index), BigInt(size), memoryRangeHasher(leaves));
          const leaf = leaves[index] ?? new Uint8Array();
          const root = await rootFromInclusionProof(BigInt(index), BigInt(size), leaf, proof);
          assert.equal(root === undefined ? undefined : hexOf(root), toHex(rootOf(leaves)));
        },
      ),
      { numRuns: 150 },
    );
  });

  test('never reaches the root from a wrong index, an altered proof or a shortened one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 200 })
          .chain((size) =>
            fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }), fc.integer({ min: 0, max: size - 1 })),
          ),
        async ([size, index, other]) => {
          const leaves = leavesOf(size);
          const expected = toHex(rootOf(leaves));
          const proof = inclusionProof(BigInt(index), BigInt(size), memoryRangeHasher(leaves));
          const leaf = leaves[index] ?? new Uint8Array();
          const reached = async (i: number, n: number, hashes: Uint8Array[]) => {
            const root = await rootFromInclusionProof(BigInt(i), BigInt(n), leaf, hashes);
            return root !== undefined && hexOf(root) === expected;
          };
          if (other !== index) assert.equal(await reached(other, size, proof), false);
          if (proof.length > 0) {
            const altered = proof.map((hash) => Uint8Array.from(hash));
            const first = altered[0] ?? new Uint8Array(32);
            first[0] = (first[0] ?? 0) ^ 0x80;
            assert.equal(await reached(index, size, altered), false);
            assert.equal(await reached(index, size, proof.slice(1)), false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('reads verifier keys as Go does, including a key whose base64 holds a plus sign', async () => {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const { verifierKey } = generateNoteKey('example.org/log');
      const parsed = await parseVerifierKey(verifierKey);
      assert.ok(parsed !== undefined, verifierKey);
      assert.equal(parsed.name, 'example.org/log');
    }
    const { verifierKey } = generateNoteKey('example.org/log');
    const [name = '', id = ''] = verifierKey.split('+', 2);
    const key = verifierKey.slice(`${name}+${id}+`.length);
    assert.equal(await parseVerifierKey(`${name}+00000000+${key}`), undefined, 'a key ID that does not match the key');
    assert.equal(await parseVerifierKey(`other.org/log+${id}+${key}`), undefined, 'a name the key ID was not made for');
    assert.equal(await parseVerifierKey(`${name}+${id}`), undefined);
  });

  test('verifies a real entry against a real signed checkpoint, and refuses another key or altered bytes', async (t) => {
    const app = await buildTestApp('sqlite');
    t.after(() => app.cleanup());
    const admin = await app.bearer('admin');
    const signed = await app.app.inject({ method: 'POST', url: '/api/v1/ledger/checkpoint', headers: admin });
    assert.equal(signed.statusCode, 200);
    const checkpoint: { size: string; note: string } = signed.json();
    const key: { keys: string[] } = (await app.app.inject({ url: '/api/v1/ledger/keys', headers: admin })).json();
    const verifierKey = key.keys[0] ?? '';

    for (let index = 0n; index < BigInt(checkpoint.size); index += 1n) {
      const entry: { leaf: string } = (
        await app.app.inject({ url: `/api/v1/ledger/entries/${index}`, headers: admin })
      ).json();
      const proof: { proof: string[] } = (
        await app.app.inject({
          url: `/api/v1/ledger/proof/inclusion?index=${index}&size=${checkpoint.size}`,
          headers: admin,
        })
      ).json();
      const input = { leafBase64: entry.leaf, index, note: checkpoint.note, proof: proof.proof, verifierKey };

      const good = await verifyInclusion(input);
      assert.equal(good.ok, true, JSON.stringify(good.steps));
      assert.deepEqual(
        good.steps.map((step) => step.label),
        ['Verifier key', 'Checkpoint signature', 'Entry', 'Leaf hash', 'Inclusion proof'],
      );
      assert.equal(good.leafText, Buffer.from(bytesFromBase64(entry.leaf)).toString('utf8'));

      const stranger = await verifyInclusion({
        ...input,
        verifierKey: generateNoteKey('test.sre-agent.local/ledger').verifierKey,
      });
      assert.equal(stranger.ok, false);
      assert.equal(stranger.steps.at(-1)?.label, 'Checkpoint signature');

      const bytes = bytesFromBase64(entry.leaf);
      bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 0x01;
      const altered = await verifyInclusion({ ...input, leafBase64: Buffer.from(bytes).toString('base64') });
      assert.equal(altered.ok, false);
      assert.equal(altered.steps.at(-1)?.label, 'Inclusion proof');

      const event: { id: string } = JSON.parse(Buffer.from(bytesFromBase64(entry.leaf)).toString('utf8'));
      assert.equal((await verifyInclusion({ ...input, lookup: String(index) })).ok, true);
      assert.equal((await verifyInclusion({ ...input, lookup: event.id })).ok, true);
      // A server that answers a look-up with another genuine entry is caught.
      for (const lookup of [String(index + 1n), 'b3a4c1d2-0000-4000-8000-000000000000']) {
        const swapped = await verifyInclusion({ ...input, lookup });
        assert.equal(swapped.ok, false, lookup);
        assert.equal(swapped.steps.at(-1)?.label, 'Entry');
      }
      const misplaced = await verifyInclusion({ ...input, index: index + 1n });
      assert.equal(misplaced.ok, false);
      assert.equal(misplaced.steps.at(-1)?.label, 'Entry');

      const otherLog = await verifyInclusion({ ...input, origin: 'staging.sre-agent.local/ledger' });
      assert.equal(otherLog.ok, false);
      assert.equal(otherLog.steps.at(-1)?.label, 'Checkpoint origin');

      const shortHashes = await verifyInclusion({ ...input, proof: proof.proof.map((hash) => hash.slice(0, 62)) });
      if (proof.proof.length > 0) assert.equal(shortHashes.steps.at(-1)?.label, 'Inclusion proof');

      const forged = await verifyInclusion({ ...input, note: checkpoint.note.replace(/\n\d+\n/, '\n999\n') });
      assert.equal(forged.ok, false);
      assert.equal(forged.steps.at(-1)?.label, 'Checkpoint signature');
    }
  });
});
