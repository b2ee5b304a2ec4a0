import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { readFixture } from '../../test/support/fixtures.js';
import {
  consistencyProof,
  EMPTY_ROOT,
  type Hash,
  inclusionProof,
  leafHash,
  leafHashOfText,
  memoryRangeHasher,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';

interface InclusionVector {
  desc?: string;
  leafIndex: number | string;
  treeSize: number | string;
  leafHash: string;
  root: string;
  proof: string[];
  valid?: boolean;
}

interface ConsistencyVector {
  desc?: string;
  size1: number | string;
  size2: number | string;
  root1: string;
  root2: string;
  proof: string[];
  valid?: boolean;
}

interface Vectors {
  hasherVectors: {
    cases: {
      desc: string;
      root?: string;
      leaf?: string;
      leafHash?: string;
      left?: string;
      right?: string;
      nodeHash?: string;
    }[];
  };
  tree: { leaves: string[]; leafHashes: string[]; rootsBySize: Record<string, string> };
  rfcExample: {
    nodes: Record<string, string>;
    inclusion: Record<string, string[]>;
    consistency: Record<string, string[]>;
  };
  inclusionProofs: InclusionVector[];
  consistencyProofs: ConsistencyVector[];
  derived: { inclusion: InclusionVector[]; consistency: ConsistencyVector[] };
}

const vectors: Vectors = JSON.parse(readFixture('ledger', 'merkle-vectors.json'));
const hex = (text: string): Hash => new Uint8Array(Buffer.from(text, 'hex'));
const toHex = (hash: Hash): string => Buffer.from(hash).toString('hex');
const leafHashes = vectors.tree.leafHashes.map(hex);

describe('RFC 6962 hashing', () => {
  test('matches the hasher vectors', () => {
    for (const vector of vectors.hasherVectors.cases) {
      if (vector.root !== undefined && vector.leaf === undefined)
        assert.equal(toHex(EMPTY_ROOT), vector.root, vector.desc);
      if (vector.leaf !== undefined && vector.leafHash !== undefined) {
        assert.equal(toHex(leafHash(hex(vector.leaf))), vector.leafHash, vector.desc);
      }
      if (vector.left !== undefined && vector.right !== undefined && vector.nodeHash !== undefined) {
        assert.equal(toHex(nodeHash(hex(vector.left), hex(vector.right))), vector.nodeHash, vector.desc);
      }
    }
  });

  test('computes the leaf hashes and the root of every prefix of the reference tree', () => {
    assert.deepEqual(
      vectors.tree.leaves.map((leaf) => toHex(leafHash(hex(leaf)))),
      vectors.tree.leafHashes,
    );
    for (const [size, root] of Object.entries(vectors.tree.rootsBySize)) {
      assert.equal(toHex(rootOf(leafHashes.slice(0, Number(size)))), root, `size ${size}`);
    }
  });
});

describe('leafHashOfText', () => {
  test('equals the leaf hash of the UTF-8 bytes of any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        assert.deepEqual(
          Buffer.from(leafHashOfText(text)).toString('hex'),
          Buffer.from(leafHash(new TextEncoder().encode(text))).toString('hex'),
        );
      }),
    );
  });
});

describe('proof generation', () => {
  const range = memoryRangeHasher(leafHashes);

  test('reproduces the worked example of RFC 6962 §2.1.3', () => {
    const nodes = vectors.rfcExample.nodes;
    const letters = (hashes: Hash[]): string[] =>
      hashes.map((hash) => Object.entries(nodes).find(([, value]) => value === toHex(hash))?.[0] ?? '?');
    const seven = memoryRangeHasher(leafHashes.slice(0, 7));
    for (const [leaf, expected] of Object.entries(vectors.rfcExample.inclusion)) {
      assert.deepEqual(letters(inclusionProof(BigInt(leaf.slice(1)), 7n, seven)), expected, leaf);
    }
    for (const [name, expected] of Object.entries(vectors.rfcExample.consistency)) {
      const m = /PROOF\((\d+),D\[7\]\)/.exec(name)?.[1];
      assert.ok(m !== undefined, name);
      assert.deepEqual(letters(consistencyProof(BigInt(m), 7n, seven)), expected, name);
    }
  });

  test('matches every derived proof over the reference tree', () => {
    for (const vector of vectors.derived.inclusion) {
      const proof = inclusionProof(BigInt(vector.leafIndex), BigInt(vector.treeSize), range).map(toHex);
      assert.deepEqual(proof, vector.proof, `inclusion ${vector.leafIndex} of ${vector.treeSize}`);
    }
    for (const vector of vectors.derived.consistency) {
      const proof = consistencyProof(BigInt(vector.size1), BigInt(vector.size2), range).map(toHex);
      assert.deepEqual(proof, vector.proof, `consistency ${vector.size1} to ${vector.size2}`);
    }
  });
});

describe('proof verification', () => {
  test('accepts every valid vector and rejects every invalid one', () => {
    for (const vector of [...vectors.inclusionProofs, ...vectors.derived.inclusion]) {
      const verdict = verifyInclusion(
        BigInt(vector.leafIndex),
        BigInt(vector.treeSize),
        hex(vector.leafHash),
        vector.proof.map(hex),
        hex(vector.root),
      );
      assert.equal(
        verdict,
        vector.valid ?? true,
        `inclusion: ${vector.desc ?? ''} ${vector.leafIndex}/${vector.treeSize}`,
      );
    }
    for (const vector of [...vectors.consistencyProofs, ...vectors.derived.consistency]) {
      const verdict = verifyConsistency(
        BigInt(vector.size1),
        BigInt(vector.size2),
        hex(vector.root1),
        hex(vector.root2),
        vector.proof.map(hex),
      );
      assert.equal(verdict, vector.valid ?? true, `consistency: ${vector.desc ?? ''} ${vector.size1}->${vector.size2}`);
    }
  });

  test('proofs generated over random trees verify, and fail for another leaf', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), (size, a, b) => {
        const leaves = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
        const range = memoryRangeHasher(leaves);
        const root = range(0n, BigInt(size));
        const index = BigInt(a % size);
        const proof = inclusionProof(index, BigInt(size), range);
        const other = leafHash(Buffer.from('not a leaf'));
        const m = BigInt((b % size) + 1);
        const consistency = consistencyProof(m, BigInt(size), range);
        return (
          verifyInclusion(index, BigInt(size), leaves[Number(index)] ?? other, proof, root) &&
          !verifyInclusion(index, BigInt(size), other, proof, root) &&
          verifyConsistency(m, BigInt(size), range(0n, m), root, consistency)
        );
      }),
    );
  });
});
