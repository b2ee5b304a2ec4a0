import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readFixture } from '../../test/support/fixtures.js';
import { type Checkpoint, formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js';
import { fromHex, leafHash, rootOf, toHex } from './merkle.js';
import { generateNoteKey, NoteError, parseNote, parseSignerKey, parseVerifierKey, signNote } from './signed-note.js';

interface NoteVectors {
  checkpointFormatExample: {
    note: string;
    origin: string;
    treeSize: number;
    rootHashBase64: string;
    signatureBytesAfterKeyId: number;
  };
  cosignedCheckpointFormatExample: { note: string; ed25519CosignedMessageExample: string };
  nodeSignedCheckpointOfVectorTree: { vkey: string; note: string; verifies: boolean };
}

interface MerkleVectors {
  tree: { leaves: string[]; rootsBySize: Record<string, string> };
}

const vectors: NoteVectors = JSON.parse(readFixture('ledger', 'note-vectors.json'));
const merkleVectors: MerkleVectors = JSON.parse(readFixture('ledger', 'merkle-vectors.json'));

const SIZE_8_ROOT = '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328';
const MAX_SIZE = 2n ** 64n - 1n;
const ROOT = new Uint8Array(32).fill(7);
const RUNS = { numRuns: 60 };

const lineCharacter = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
  fc.constantFrom('\u2014', ' ', '+', '\u00a0', '\u{1f600}'),
  fc
    .integer({ min: 0xa0, max: 0x10ffff })
    .filter((codePoint) => codePoint < 0xd800 || codePoint > 0xdfff)
    .map((codePoint) => String.fromCodePoint(codePoint)),
);
const line = fc.string({ unit: lineCharacter, minLength: 1, maxLength: 40 });
const treeSize = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX_SIZE }),
  fc.bigInt({ min: 2n ** 53n - 2n, max: 2n ** 53n + 2n }),
  fc.constantFrom(0n, 1n, MAX_SIZE - 1n, MAX_SIZE),
);
const checkpoint: fc.Arbitrary<Checkpoint> = fc.record({
  origin: line,
  size: treeSize,
  root: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  extensions: fc.array(line, { maxLength: 3 }),
});

describe('checkpoint vectors', () => {
  it('parses the tlog-checkpoint format example', () => {
    const example = vectors.checkpointFormatExample;
    const { text, signatures } = parseNote(example.note);
    assert.equal(signatures.length, 1);
    assert.equal(signatures[0]?.name, example.origin);
    assert.equal(signatures[0]?.signature.length, example.signatureBytesAfterKeyId);
    const parsed = parseCheckpoint(text);
    assert.equal(parsed.origin, example.origin);
    assert.equal(parsed.size, BigInt(example.treeSize));
    assert.equal(Buffer.from(parsed.root).toString('base64'), example.rootHashBase64);
    assert.deepEqual(parsed.extensions, []);
    assert.equal(formatCheckpoint(parsed), text);
  });

  it('does not open the format example, whose key is unpublished', () => {
    const example = vectors.checkpointFormatExample;
    const { verifierKey } = generateNoteKey(example.origin);
    assert.throws(() => openCheckpoint(example.note, [parseVerifierKey(verifierKey)], example.origin), {
      name: 'NoteError',
      message: /no signature from a known key/,
    });
  });

  it('parses the cosigned checkpoint example, timestamped cosignature included', () => {
    const example = vectors.cosignedCheckpointFormatExample;
    const { text, signatures } = parseNote(example.note);
    assert.equal(text, parseNote(vectors.checkpointFormatExample.note).text);
    assert.deepEqual(
      signatures.map(({ name, signature }) => [name, signature.length]),
      [
        ['example.com/behind-the-sofa', 64],
        ['witness.example.com/w1', 8 + 64],
      ],
    );
    const cosignature = signatures[1]?.signature ?? new Uint8Array();
    const timestamp = Buffer.from(cosignature).readBigUInt64BE(0);
    assert.equal(example.ed25519CosignedMessageExample, `cosignature/v1\ntime ${timestamp}\n${text}`);
    assert.equal(parseCheckpoint(text).size, 20852163n);
  });

  it('opens the node-signed checkpoint of the size-8 vector tree with its verifier key', () => {
    const example = vectors.nodeSignedCheckpointOfVectorTree;
    assert.equal(example.verifies, true);
    const opened = openCheckpoint(example.note, [parseVerifierKey(example.vkey)], 'sre-agent.example/audit-ledger');
    assert.deepEqual(opened.verifiedBy, [example.vkey]);
    assert.equal(opened.checkpoint.origin, 'sre-agent.example/audit-ledger');
    assert.equal(opened.checkpoint.size, 8n);
    assert.equal(toHex(opened.checkpoint.root), SIZE_8_ROOT);
    assert.equal(merkleVectors.tree.rootsBySize['8'], SIZE_8_ROOT);
    assert.equal(toHex(rootOf(merkleVectors.tree.leaves.map((leaf) => leafHash(fromHex(leaf))))), SIZE_8_ROOT);
  });

  it('rejects the node-signed checkpoint for another origin or with a changed size', () => {
    const example = vectors.nodeSignedCheckpointOfVectorTree;
    const verifier = parseVerifierKey(example.vkey);
    assert.throws(() => openCheckpoint(example.note, [verifier], 'sre-agent.example/other-ledger'), {
      name: 'NoteError',
      message: /not the expected "sre-agent\.example\/other-ledger"/,
    });
    assert.throws(() => openCheckpoint(example.note.replace('\n8\n', '\n9\n'), [verifier]), NoteError);
  });
});

describe('formatCheckpoint and parseCheckpoint', () => {
  it('writes origin, decimal size, base64 root and extensions, one per line', () => {
    const text = formatCheckpoint({
      origin: 'example.com/log',
      size: MAX_SIZE,
      root: ROOT,
      extensions: ['frozen', 'a b'],
    });
    assert.equal(
      text,
      'example.com/log\n18446744073709551615\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\nfrozen\na b\n',
    );
  });

  it('round-trips arbitrary checkpoints, sizes above 2^53 included', () => {
    fc.assert(
      fc.property(checkpoint, (original) => {
        const text = formatCheckpoint(original);
        assert.equal(text.split('\n')[1], original.size.toString());
        const parsed = parseCheckpoint(text);
        assert.equal(parsed.origin, original.origin);
        assert.equal(parsed.size, original.size);
        assert.deepEqual(parsed.root, original.root);
        assert.deepEqual(parsed.extensions, original.extensions);
      }),
      { numRuns: 100 },
    );
  });

  const root = Buffer.from(ROOT).toString('base64');
  const rejected: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['no final newline', `o\n1\n${root}`, /end in a newline/],
    ['two lines', 'o\n1\n', /at least three lines/],
    ['an empty origin', `\n1\n${root}\n`, /line 1 is empty/],
    ['an empty extension line', `o\n1\n${root}\n\nx\n`, /line 4 is empty/],
    ['a trailing blank line', `o\n1\n${root}\n\n`, /line 4 is empty/],
    ['a control character', `o\t\n1\n${root}\n`, /control character/],
    ['a leading zero', `o\n01\n${root}\n`, /leading zeros/],
    ['a plus sign', `o\n+1\n${root}\n`, /without sign/],
    ['a negative size', `o\n-1\n${root}\n`, /without sign/],
    ['a size with a space', `o\n 1\n${root}\n`, /tree size/],
    ['a hexadecimal size', `o\n0x10\n${root}\n`, /tree size/],
    ['a size of 2^64', `o\n18446744073709551616\n${root}\n`, /exceeds 2\^64 - 1/],
    ['a 21-digit size', `o\n100000000000000000000\n${root}\n`, /tree size/],
    ['a 31-byte root', `o\n1\n${Buffer.alloc(31).toString('base64')}\n`, /32 bytes/],
    ['a 33-byte root', `o\n1\n${Buffer.alloc(33).toString('base64')}\n`, /32 bytes/],
    ['an unpadded root', `o\n1\n${root.slice(0, -1)}\n`, /32 bytes/],
    ['a URL-safe root', `o\n1\n${'_'.repeat(42)}A=\n`, /32 bytes/],
    ['a root with non-zero unused bits', `o\n1\n${'A'.repeat(42)}B=\n`, /canonical/],
    ['a hex root', `o\n1\n${SIZE_8_ROOT}\n`, /32 bytes/],
  ];
  for (const [description, text, message] of rejected) {
    it(`rejects a checkpoint with ${description}`, () => {
      assert.throws(() => parseCheckpoint(text), { name: 'NoteError', message });
    });
  }

  it('accepts sizes 0 and 2^64 - 1', () => {
    assert.equal(parseCheckpoint(`o\n0\n${root}\n`).size, 0n);
    assert.equal(parseCheckpoint(`o\n18446744073709551615\n${root}\n`).size, MAX_SIZE);
  });

  it('refuses to format a checkpoint it could not parse back', () => {
    const valid: Checkpoint = { origin: 'o', size: 1n, root: ROOT, extensions: [] };
    const invalid: ReadonlyArray<readonly [string, Checkpoint]> = [
      ['an empty origin', { ...valid, origin: '' }],
      ['an origin with a newline', { ...valid, origin: 'a\nb' }],
      ['a negative size', { ...valid, size: -1n }],
      ['a size of 2^64', { ...valid, size: MAX_SIZE + 1n }],
      ['a 31-byte root', { ...valid, root: new Uint8Array(31) }],
      ['an empty extension', { ...valid, extensions: [''] }],
      ['an extension with a newline', { ...valid, extensions: ['a\n'] }],
    ];
    for (const [description, bad] of invalid) {
      assert.throws(() => formatCheckpoint(bad), NoteError, description);
    }
  });
});

describe('signCheckpoint and openCheckpoint', () => {
  const { signerKey, verifierKey } = generateNoteKey('ledger.example/audit');
  const logSigner = parseSignerKey(signerKey);
  const logVerifier = parseVerifierKey(verifierKey);
  const witness = generateNoteKey('witness.example/w1');

  it('round-trips arbitrary checkpoints through a signed note', () => {
    fc.assert(
      fc.property(checkpoint, (original) => {
        const note = signCheckpoint(original, [logSigner, parseSignerKey(witness.signerKey)]);
        const opened = openCheckpoint(note, [logVerifier], original.origin);
        assert.deepEqual(opened.verifiedBy, [verifierKey]);
        assert.equal(opened.checkpoint.size, original.size);
        assert.deepEqual(opened.checkpoint.root, original.root);
        assert.deepEqual(opened.checkpoint.extensions, original.extensions);
        assert.throws(() => openCheckpoint(note, [logVerifier], `${original.origin}x`), NoteError);
      }),
      RUNS,
    );
  });

  it('opens a checkpoint without an expected origin', () => {
    const note = signCheckpoint({ origin: 'any.example/log', size: 3n, root: ROOT, extensions: [] }, [logSigner]);
    assert.equal(openCheckpoint(note, [logVerifier]).checkpoint.origin, 'any.example/log');
  });

  it('rejects a validly signed note whose text is not a checkpoint', () => {
    for (const text of ['just text\n', `o\n01\n${Buffer.from(ROOT).toString('base64')}\n`]) {
      assert.throws(() => openCheckpoint(signNote(text, [logSigner]), [logVerifier]), NoteError, text);
    }
  });
});
