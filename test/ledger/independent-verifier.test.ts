import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { readFixture } from '../support/fixtures.js';
import {
  checkConsistency,
  checkInclusion,
  leafHashOf,
  openSignedNote,
  parseCheckpointBody,
  rootOfLeaves,
} from '../support/independent-verifier.js';

type Size = number | string;

interface InclusionProbe {
  readonly desc: string;
  readonly leafIndex: Size;
  readonly treeSize: Size;
  readonly leafHash: string;
  readonly root: string;
  readonly proof: readonly string[];
  readonly valid?: boolean;
}

interface ConsistencyProbe {
  readonly desc: string;
  readonly size1: Size;
  readonly size2: Size;
  readonly root1: string;
  readonly root2: string;
  readonly proof: readonly string[];
  readonly valid?: boolean;
}

interface MerkleVectors {
  readonly hasherVectors: {
    readonly cases: readonly {
      readonly desc: string;
      readonly root?: string;
      readonly leaf?: string;
      readonly leafHash?: string;
      readonly left?: string;
      readonly right?: string;
      readonly nodeHash?: string;
    }[];
  };
  readonly tree: {
    readonly leaves: readonly string[];
    readonly leafHashes: readonly string[];
    readonly rootsBySize: Readonly<Record<string, string>>;
  };
  readonly rfcExample: {
    readonly nodes: Readonly<Record<string, string>>;
    readonly inclusion: Readonly<Record<string, readonly string[]>>;
    readonly consistency: Readonly<Record<string, readonly string[]>>;
  };
  readonly inclusionProofs: readonly InclusionProbe[];
  readonly consistencyProofs: readonly ConsistencyProbe[];
  readonly derived: {
    readonly inclusion: readonly InclusionProbe[];
    readonly consistency: readonly ConsistencyProbe[];
  };
}

interface NoteVector {
  readonly vkey?: string;
  readonly note: string;
  readonly signedText?: string;
  readonly expectedKeyIdHex?: string;
  readonly origin?: string;
  readonly treeSize?: number;
  readonly rootHashBase64?: string;
}

interface NoteVectors {
  readonly signedNoteEd25519: NoteVector;
  readonly signedNoteTampered: NoteVector;
  readonly checkpointFormatExample: NoteVector;
  readonly nodeSignedCheckpointOfVectorTree: NoteVector;
}

const merkle: MerkleVectors = JSON.parse(readFixture('ledger', 'merkle-vectors.json'));
const notes: NoteVectors = JSON.parse(readFixture('ledger', 'note-vectors.json'));

const hex = (text: string): Uint8Array => hexToBytes(text);
const hexes = (texts: readonly string[]): Uint8Array[] => texts.map(hex);
const vkeyOf = (vector: NoteVector): string => {
  assert.ok(vector.vkey, 'vector carries a vkey');
  return vector.vkey;
};
const bodyOf = (note: string): string => note.slice(0, note.lastIndexOf('\n\n') + 1);
const signatureLinesOf = (note: string): string => note.slice(note.lastIndexOf('\n\n') + 2);

function sevenLeafRoot(): Uint8Array {
  return rootOfLeaves(hexes(merkle.tree.leafHashes.slice(0, 7)));
}

describe('independent verifier (@noble)', () => {
  test('reproduces the RFC 6962 hasher vectors', () => {
    for (const vector of merkle.hasherVectors.cases) {
      if (vector.root !== undefined) {
        assert.equal(bytesToHex(rootOfLeaves([])), vector.root, vector.desc);
      } else if (vector.leaf !== undefined && vector.leafHash !== undefined) {
        assert.equal(bytesToHex(leafHashOf(hex(vector.leaf))), vector.leafHash, vector.desc);
      } else if (vector.left !== undefined && vector.right !== undefined && vector.nodeHash !== undefined) {
        assert.equal(bytesToHex(rootOfLeaves([hex(vector.left), hex(vector.right)])), vector.nodeHash, vector.desc);
      } else {
        assert.fail(`unrecognised hasher vector: ${vector.desc}`);
      }
    }
  });

  test('reproduces the leaf hashes and the roots of the 8-leaf tree for sizes 0 to 8', () => {
    const leafHashes = merkle.tree.leaves.map((leaf) => leafHashOf(hex(leaf)));
    assert.deepEqual(leafHashes.map(bytesToHex), merkle.tree.leafHashes);
    for (let size = 0; size <= 8; size += 1) {
      assert.equal(
        bytesToHex(rootOfLeaves(leafHashes.slice(0, size))),
        merkle.tree.rootsBySize[String(size)],
        `size ${size}`,
      );
    }
  });

  test('accepts the audit paths and consistency proofs of the RFC 6962 §2.1.3 example', () => {
    const { nodes, inclusion, consistency } = merkle.rfcExample;
    const node = (letter: string): Uint8Array => {
      const value = nodes[letter];
      assert.ok(value, `node ${letter}`);
      return hex(value);
    };
    const root = sevenLeafRoot();
    assert.equal(bytesToHex(root), nodes.hash);
    for (const [leaf, letters] of Object.entries(inclusion)) {
      const index = Number(leaf.slice(1));
      const leafHash = merkle.tree.leafHashes[index];
      assert.ok(leafHash, leaf);
      assert.equal(checkInclusion(BigInt(index), 7n, hex(leafHash), letters.map(node), root), true, leaf);
    }
    for (const [label, letters] of Object.entries(consistency)) {
      const size1 = Number(/^PROOF\((\d+),D\[7\]\)$/.exec(label)?.[1]);
      const root1 = rootOfLeaves(hexes(merkle.tree.leafHashes.slice(0, size1)));
      assert.equal(checkConsistency(BigInt(size1), 7n, root1, root, letters.map(node)), true, label);
    }
  });

  test('agrees with every transparency-dev inclusion probe', () => {
    assert.equal(merkle.inclusionProofs.length, 86);
    let accepted = 0;
    for (const probe of merkle.inclusionProofs) {
      const result = checkInclusion(
        BigInt(probe.leafIndex),
        BigInt(probe.treeSize),
        hex(probe.leafHash),
        hexes(probe.proof),
        hex(probe.root),
      );
      assert.equal(result, probe.valid, `${probe.desc} (${probe.leafIndex} in ${probe.treeSize})`);
      if (result) accepted += 1;
    }
    assert.equal(accepted, 6);
  });

  test('agrees with every transparency-dev consistency probe', () => {
    assert.equal(merkle.consistencyProofs.length, 84);
    let accepted = 0;
    for (const probe of merkle.consistencyProofs) {
      const result = checkConsistency(
        BigInt(probe.size1),
        BigInt(probe.size2),
        hex(probe.root1),
        hex(probe.root2),
        hexes(probe.proof),
      );
      assert.equal(result, probe.valid, `${probe.desc} (${probe.size1} -> ${probe.size2})`);
      if (result) accepted += 1;
    }
    assert.equal(accepted, 5);
  });

  test('accepts every derived proof for trees of up to 8 leaves', () => {
    for (const probe of merkle.derived.inclusion) {
      const accepted = checkInclusion(
        BigInt(probe.leafIndex),
        BigInt(probe.treeSize),
        hex(probe.leafHash),
        hexes(probe.proof),
        hex(probe.root),
      );
      assert.equal(accepted, true, `inclusion ${probe.leafIndex} in ${probe.treeSize}`);
    }
    for (const probe of merkle.derived.consistency) {
      const accepted = checkConsistency(
        BigInt(probe.size1),
        BigInt(probe.size2),
        hex(probe.root1),
        hex(probe.root2),
        hexes(probe.proof),
      );
      assert.equal(accepted, true, `consistency ${probe.size1} -> ${probe.size2}`);
    }
  });

  test('rejects a first size of 0, a shrinking tree and indexes beyond 64 bits', () => {
    const empty = rootOfLeaves([]);
    const root8 = hex(merkle.tree.rootsBySize['8'] ?? '');
    const leaf0 = hex(merkle.tree.leafHashes[0] ?? '');
    assert.equal(checkConsistency(0n, 8n, empty, root8, []), false);
    assert.equal(checkConsistency(0n, 0n, empty, empty, []), false);
    assert.equal(checkConsistency(8n, 4n, root8, root8, []), false);
    assert.equal(checkConsistency(8n, 8n, root8, root8, [root8]), false);
    assert.equal(checkInclusion(-1n, 8n, leaf0, [], root8), false);
    assert.equal(checkInclusion(0n, 1n << 64n, leaf0, [], root8), false);
  });

  test('opens the signed-note spec example and finds its key id', () => {
    const vector = notes.signedNoteEd25519;
    const vkey = vkeyOf(vector);
    assert.equal(vkey.split('+')[1], vector.expectedKeyIdHex);
    const opened = openSignedNote(vector.note, [vkey]);
    assert.equal(opened.text, vector.signedText);
    assert.deepEqual(opened.verifiedKeys, [vkey]);
  });

  test('rejects the tampered spec example', () => {
    const vector = notes.signedNoteTampered;
    assert.throws(() => openSignedNote(vector.note, [vkeyOf(vector)]), /does not verify/);
  });

  test('opens the node-signed size-8 checkpoint and reads the vector root from it', () => {
    const vector = notes.nodeSignedCheckpointOfVectorTree;
    const vkey = vkeyOf(vector);
    const opened = openSignedNote(vector.note, [vkey]);
    assert.deepEqual(opened.verifiedKeys, [vkey]);
    const checkpoint = parseCheckpointBody(opened.text);
    assert.equal(checkpoint.origin, 'sre-agent.example/audit-ledger');
    assert.equal(checkpoint.size, 8n);
    assert.equal(bytesToHex(checkpoint.root), merkle.tree.rootsBySize['8']);
  });

  test('ignores signatures by unknown keys but rejects a note no known key signed', () => {
    const checkpoint = notes.nodeSignedCheckpointOfVectorTree;
    const example = notes.signedNoteEd25519;
    const cosigned = checkpoint.note + signatureLinesOf(example.note);
    assert.deepEqual(openSignedNote(cosigned, [vkeyOf(checkpoint)]).verifiedKeys, [vkeyOf(checkpoint)]);
    assert.throws(() => openSignedNote(cosigned, [vkeyOf(checkpoint), vkeyOf(example)]), /does not verify/);
    assert.throws(() => openSignedNote(example.note, [vkeyOf(checkpoint)]), /no signature by a known key/);
  });

  test('splits the note at the last blank line and signs the text with its final newline', () => {
    const secretKey = sha256(utf8ToBytes('independent verifier test key'));
    const publicKey = ed25519.getPublicKey(secretKey);
    const name = 'test.example/log';
    const keyId = sha256(concatBytes(utf8ToBytes(`${name}\n`), Uint8Array.of(0x01), publicKey)).slice(0, 4);
    const vkey = `${name}+${bytesToHex(keyId)}+${Buffer.from(concatBytes(Uint8Array.of(0x01), publicKey)).toString('base64')}`;
    const text = 'first paragraph\n\nsecond paragraph\n';
    const signature = ed25519.sign(utf8ToBytes(text), secretKey);
    const note = `${text}\n\u2014 ${name} ${Buffer.from(concatBytes(keyId, signature)).toString('base64')}\n`;
    assert.equal(openSignedNote(note, [vkey]).text, text);
    assert.throws(() => openSignedNote(note.replace('\u2014', '-'), [vkey]), /malformed signature line/);
    assert.throws(() => openSignedNote(note, [vkey.replace(bytesToHex(keyId), '00000000')]), /key id does not match/);
  });

  test('parses the spec checkpoint body and rejects malformed ones', () => {
    const vector = notes.checkpointFormatExample;
    const checkpoint = parseCheckpointBody(bodyOf(vector.note));
    assert.equal(checkpoint.origin, vector.origin);
    assert.equal(checkpoint.size, BigInt(vector.treeSize ?? -1));
    assert.equal(Buffer.from(checkpoint.root).toString('base64'), vector.rootHashBase64);
    const root = vector.rootHashBase64 ?? '';
    assert.equal(parseCheckpointBody(`log\n0\n${root}\nextension\n`).size, 0n);
    assert.throws(() => parseCheckpointBody(`log\n08\n${root}\n`), /not canonical decimal/);
    assert.throws(() => parseCheckpointBody(`log\n8\n${root}`), /newline/);
    assert.throws(() => parseCheckpointBody('log\n8\n'), /fewer than three lines/);
    assert.throws(() => parseCheckpointBody(`log\n8\n${root.slice(4)}\n`), /not a base64 SHA-256 hash/);
  });
});
