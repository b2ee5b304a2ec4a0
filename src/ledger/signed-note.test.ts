import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readFixture } from '../../test/support/fixtures.js';
import {
  ed25519KeyId,
  generateNoteKey,
  MAX_NOTE_SIGNATURES,
  NoteError,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  openNote,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from './signed-note.js';

interface NoteVectors {
  signedNoteEd25519: { vkey: string; expectedKeyIdHex: string; note: string; signedText: string; verifies: boolean };
  signedNoteTampered: { vkey: string; note: string; verifies: boolean };
}

const vectors: NoteVectors = JSON.parse(readFixture('ledger', 'note-vectors.json'));

interface TestKey {
  readonly signer: NoteSigner;
  readonly verifier: NoteVerifier;
}

function newKey(name: string): TestKey {
  const { signerKey, verifierKey } = generateNoteKey(name);
  return { signer: parseSignerKey(signerKey), verifier: parseVerifierKey(verifierKey) };
}

// Two keys share a name so that rotation (same name, new key ID) is among the generated cases.
const POOL: ReadonlyArray<TestKey> = [
  'log.example/a',
  'log.example/a',
  'witness.example/w1',
  'witness.example/w2',
  'sre-agent.example/audit-ledger',
  'é.example/ünïcode—',
].map(newKey);

const textCharacter = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
  fc.constantFrom('\u2014', ' ', '+', '=', '\u00a0', '\u2028', '\ufeff', '\u{1f600}'),
  fc
    .integer({ min: 0xa0, max: 0x10ffff })
    .filter((codePoint) => codePoint < 0xd800 || codePoint > 0xdfff)
    .map((codePoint) => String.fromCodePoint(codePoint)),
);
const textLine = fc.oneof(
  { arbitrary: fc.string({ unit: textCharacter, maxLength: 30 }), weight: 4 },
  { arbitrary: fc.constant('\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnag='), weight: 1 },
);
const noteText = fc.array(textLine, { minLength: 1, maxLength: 6 }).map((lines) => `${lines.join('\n')}\n`);
const signerSet = fc.subarray([...POOL], { minLength: 1 });
const RUNS = { numRuns: 60 };

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

function signatureLine({ name, keyId, signature }: NoteSignature): string {
  const keyIdBytes = Buffer.alloc(4);
  keyIdBytes.writeUInt32BE(keyId);
  return `\u2014 ${name} ${Buffer.concat([keyIdBytes, signature]).toString('base64')}\n`;
}

function assembleNote(text: string, signatures: ReadonlyArray<NoteSignature>): string {
  return `${text}\n${signatures.map(signatureLine).join('')}`;
}

function xorAt(bytes: Uint8Array, at: number, mask: number): void {
  const index = at % bytes.length;
  bytes[index] = (bytes[index] ?? 0) ^ mask;
}

function flipSignatureByte(signature: NoteSignature, at: number, mask: number): NoteSignature {
  const flipped = Uint8Array.from(signature.signature);
  xorAt(flipped, at, mask);
  return { ...signature, signature: flipped };
}

describe('signed-note vectors', () => {
  const example = vectors.signedNoteEd25519;

  it('computes the key ID of the spec example key', () => {
    const verifier = parseVerifierKey(example.vkey);
    assert.equal(verifier.name, 'example.com/foo');
    assert.equal(verifier.keyId, Number.parseInt(example.expectedKeyIdHex, 16));
    assert.equal(verifier.keyId, 0x530d903a);
    assert.equal(verifier.verifierKey, example.vkey);
    const publicKey = Buffer.from(example.vkey.split('+')[2] ?? '', 'base64').subarray(1);
    assert.equal(ed25519KeyId('example.com/foo', publicKey), 0x530d903a);
  });

  it('opens the spec example with its verifier key', () => {
    assert.equal(example.verifies, true);
    const opened = openNote(example.note, [parseVerifierKey(example.vkey)]);
    assert.equal(opened.text, example.signedText);
    assert.deepEqual(opened.verifiedBy, [example.vkey]);
  });

  it('rejects the tampered copy of the spec example', () => {
    const tampered = vectors.signedNoteTampered;
    assert.equal(tampered.verifies, false);
    assert.throws(() => openNote(tampered.note, [parseVerifierKey(tampered.vkey)]), {
      name: 'NoteError',
      message: /example\.com\/foo\+530d903a is invalid/,
    });
  });

  it('parses the spec example without verifying it', () => {
    const parsed = parseNote(example.note);
    assert.equal(parsed.text, example.signedText);
    assert.equal(parsed.signatures.length, 1);
    assert.equal(parsed.signatures[0]?.name, 'example.com/foo');
    assert.equal(parsed.signatures[0]?.keyId, 0x530d903a);
    assert.equal(parsed.signatures[0]?.signature.length, 64);
  });
});

describe('note keys', () => {
  it('generates a signer key whose verifier key checks its signatures', () => {
    const { signerKey, verifierKey } = generateNoteKey('sre-agent.example/audit-ledger');
    assert.match(signerKey, /^PRIVATE\+KEY\+sre-agent\.example\/audit-ledger\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    assert.match(verifierKey, /^sre-agent\.example\/audit-ledger\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    const signer = parseSignerKey(`  ${signerKey}\n`);
    const verifier = parseVerifierKey(`\t${verifierKey.replace(/\+([0-9a-f]{8})\+/, (id) => id.toUpperCase())}\n`);
    assert.equal(verifier.verifierKey, verifierKey);
    assert.equal(signer.verifierKey, verifierKey);
    assert.equal(signer.keyId, verifier.keyId);
    assert.equal(signer.keyId.toString(16).padStart(8, '0'), verifierKey.split('+')[1]);
    const message = utf8('hello\n');
    assert.ok(verifier.verify(message, signer.sign(message)));
    assert.ok(!verifier.verify(utf8('hellO\n'), signer.sign(message)));
    assert.ok(!verifier.verify(message, signer.sign(message).subarray(1)));
  });

  it('refuses to generate a key with an invalid name', () => {
    for (const name of ['', 'a b', 'a+b', 'a\nb', 'a\u00a0b', 'a\u3000b']) {
      assert.throws(() => generateNoteKey(name), NoteError, JSON.stringify(name));
    }
  });

  const vkey = vectors.signedNoteEd25519.vkey;
  const publicKey = Buffer.from(vkey.split('+')[2] ?? '', 'base64').subarray(1);
  const withKey = (bytes: Uint8Array): string => `example.com/foo+530d903a+${Buffer.from(bytes).toString('base64')}`;
  const badVerifierKeys: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['empty name', `+530d903a+${vkey.split('+')[2]}`, /name must be non-empty/],
    ['name with a space', `example .com+530d903a+${vkey.split('+')[2]}`, /name must be non-empty/],
    ['too few fields', 'example.com/foo+530d903a', /must have the form/],
    ['an extra field', `${vkey}+extra`, /not valid base64/],
    ['short key ID', vkey.replace('+530d903a+', '+530d903+'), /8 hexadecimal digits/],
    ['wrong key ID', vkey.replace('+530d903a+', '+530d903b+'), /does not match/],
    ['other name', vkey.replace('example.com/foo', 'example.com/bar'), /does not match/],
    ['not base64', 'example.com/foo+530d903a+not*base64', /not valid base64/],
    ['unpadded base64', vkey.slice(0, -1), /not valid base64/],
    ['empty key', 'example.com/foo+530d903a+', /empty/],
    ['ECDSA algorithm', withKey(Uint8Array.of(0x02, ...publicKey)), /algorithm 0x02/],
    ['short public key', withKey(Uint8Array.of(0x01, ...publicKey.subarray(1))), /32-byte Ed25519 public key, got 31/],
    ['long public key', withKey(Uint8Array.of(0x01, ...publicKey, 0)), /got 33/],
  ];
  for (const [description, text, message] of badVerifierKeys) {
    it(`rejects a verifier key with ${description}`, () => {
      assert.throws(() => parseVerifierKey(text), { name: 'NoteError', message });
    });
  }

  const { signerKey } = generateNoteKey('log.example/a');
  const [, name = '', keyIdHex = '', keyText = ''] =
    /^PRIVATE\+KEY\+([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(signerKey) ?? [];
  const seed = Buffer.from(keyText, 'base64').subarray(1);
  const withSeed = (bytes: Uint8Array): string =>
    `PRIVATE+KEY+${name}+${keyIdHex}+${Buffer.from(bytes).toString('base64')}`;
  const badSignerKeys: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['no PRIVATE+KEY prefix', signerKey.slice('PRIVATE+KEY+'.length), /must have the form/],
    ['lower-case prefix', signerKey.replace('PRIVATE+KEY', 'private+key'), /must have the form/],
    ['an extra field', `${signerKey}+x`, /not valid base64/],
    ['too few fields', `PRIVATE+KEY+${name}+${keyText}`, /8 hexadecimal digits|must have the form/],
    ['invalid name', signerKey.replace(name, 'log example'), /name must be non-empty/],
    ['other name', signerKey.replace(name, 'log.example/b'), /does not match/],
    ['non-hex key ID', signerKey.replace(keyIdHex, 'zzzzzzzz'), /8 hexadecimal digits/],
    ['not base64', signerKey.replace(keyText, `${keyText.slice(0, -2)}**`), /not valid base64/],
    ['ECDSA algorithm', withSeed(Uint8Array.of(0x02, ...seed)), /algorithm 0x02/],
    ['short seed', withSeed(Uint8Array.of(0x01, ...seed.subarray(1))), /32-byte Ed25519 seed, got 31/],
    ['other seed', withSeed(Uint8Array.of(0x01, ...seed.map((byte) => byte ^ 1))), /does not match/],
  ];
  for (const [description, text, message] of badSignerKeys) {
    it(`rejects a signer key with ${description} without echoing the key`, () => {
      assert.throws(
        () => parseSignerKey(text),
        (error: unknown) => {
          assert.ok(error instanceof NoteError);
          assert.match(error.message, message);
          assert.ok(!error.message.includes(text.slice(-12)), error.message);
          assert.ok(!error.message.includes(keyText.slice(1, 9)), error.message);
          return true;
        },
      );
    });
  }
});

describe('signNote', () => {
  const [first, second] = POOL;
  assert.ok(first !== undefined && second !== undefined);

  it('appends a blank line and one em-dash line per signer', () => {
    const note = signNote('line one\n\nline three\n', [first.signer, second.signer]);
    const lines = note.split('\n');
    assert.deepEqual(lines.slice(0, 4), ['line one', '', 'line three', '']);
    assert.match(lines[4] ?? '', /^\u2014 log\.example\/a [A-Za-z0-9+/]{91}=$/);
    assert.match(lines[5] ?? '', /^\u2014 log\.example\/a [A-Za-z0-9+/]{91}=$/);
    assert.equal(lines[6], '');
    assert.equal(lines.length, 7);
    const opened = openNote(note, [first.verifier, second.verifier]);
    assert.equal(opened.text, 'line one\n\nline three\n');
  });

  it('rejects text that does not end in a newline or holds control characters', () => {
    for (const text of ['', 'no newline', 'tab\there\n', 'cr\r\n', 'del\x7f\n', 'nel\u0085\n', 'nul\0\n', '\ud800\n']) {
      assert.throws(() => signNote(text, [first.signer]), NoteError, JSON.stringify(text));
    }
  });

  it('rejects an empty or duplicated signer list and invalid signer names', () => {
    assert.throws(() => signNote('text\n', []), { name: 'NoteError', message: /at least one signer/ });
    assert.throws(() => signNote('text\n', [first.signer, first.signer]), {
      name: 'NoteError',
      message: /duplicate signer/,
    });
    const badName: NoteSigner = { ...first.signer, name: 'bad name', sign: (message) => first.signer.sign(message) };
    assert.throws(() => signNote('text\n', [badName]), { name: 'NoteError', message: /name must be non-empty/ });
    const badKeyId: NoteSigner = { ...first.signer, keyId: 2 ** 32, sign: (message) => first.signer.sign(message) };
    assert.throws(() => signNote('text\n', [badKeyId]), { name: 'NoteError', message: /not a uint32/ });
  });
});

describe('parseNote', () => {
  const valid = vectors.signedNoteEd25519.note;
  const [text = '', line = ''] = valid.split('\n\n');
  const rejected: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['no blank line', `${text}\n${line}`, /no blank line/],
    ['no signatures', `${text}\n\n`, /no signatures/],
    ['a last line without newline', `${text}\n\n${line.trimEnd()}`, /does not end in a newline/],
    ['a hyphen instead of an em dash', `${text}\n\n${line.replace('\u2014', '-')}`, /em dash/],
    ['no space after the name', `${text}\n\n\u2014 example.com/foo\n`, /no space/],
    ['two spaces after the name', `${text}\n\n${line.replace(' Uw2Q', '  Uw2Q')}`, /not valid standard base64/],
    ['a name with a plus', `${text}\n\n${line.replace('example.com/foo', 'example.com+foo')}`, /name must be/],
    ['URL-safe base64', `${text}\n\n\u2014 a AAAA_-__\n`, /not valid standard base64/],
    ['non-canonical base64', `${text}\n\n\u2014 a AAAAAR==\n`, /not valid standard base64/],
    ['a four-byte signature', `${text}\n\n\u2014 a AAAAAA==\n`, /too short/],
    ['a carriage return', valid.replace('\n\n', '\r\n\n'), /control character/],
    ['a control character in a signature line', `${valid}\u2014 a\tAAAAAAA=\n`, /control character/],
    ['a lone surrogate', valid.replace('This', '\udc00his'), /invalid UTF-16/],
  ];
  for (const [description, note, message] of rejected) {
    it(`rejects a note with ${description}`, () => {
      assert.throws(() => parseNote(note), { name: 'NoteError', message });
    });
  }

  it(`accepts ${MAX_NOTE_SIGNATURES} signatures and rejects one more`, () => {
    const lines = Array.from({ length: MAX_NOTE_SIGNATURES + 1 }, (_, index) =>
      signatureLine({ name: `w${index}`, keyId: index, signature: new Uint8Array(64) }),
    );
    const atCap = parseNote(`text\n\n${lines.slice(0, -1).join('')}`);
    assert.equal(atCap.signatures.length, MAX_NOTE_SIGNATURES);
    assert.equal(atCap.signatures[99]?.keyId, 99);
    assert.throws(() => parseNote(`text\n\n${lines.join('')}`), { name: 'NoteError', message: /at most 100/ });
  });

  it('splits at the last blank line, so the text may hold blank lines', () => {
    const parsed = parseNote(`a\n\n\nb\n\n\n${line}`);
    assert.equal(parsed.text, 'a\n\n\nb\n\n');
    assert.equal(parsed.signatures.length, 1);
  });
});

describe('openNote', () => {
  const [oldKey, newKey, witness, stranger] = POOL;
  assert.ok(oldKey !== undefined && newKey !== undefined && witness !== undefined && stranger !== undefined);

  it('rejects a note with no signature from a known key', () => {
    const note = signNote('text\n', [witness.signer]);
    assert.throws(() => openNote(note, [stranger.verifier]), {
      name: 'NoteError',
      message: /no signature from a known key/,
    });
    assert.throws(() => openNote(note, []), NoteError);
    assert.throws(() => openNote(vectors.signedNoteEd25519.note, [oldKey.verifier]), NoteError);
  });

  it('rejects two different verifier keys with the same name and key ID', () => {
    const note = signNote('text\n', [witness.signer]);
    const impostor: NoteVerifier = { ...stranger.verifier, name: witness.verifier.name, keyId: witness.verifier.keyId };
    assert.throws(() => openNote(note, [witness.verifier, impostor]), {
      name: 'NoteError',
      message: /share the name and key ID/,
    });
    assert.deepEqual(openNote(note, [witness.verifier, witness.verifier]).verifiedBy, [witness.verifier.verifierKey]);
  });

  it('round-trips arbitrary texts and sets of signers', () => {
    fc.assert(
      fc.property(noteText, signerSet, (text, keys) => {
        const note = signNote(
          text,
          keys.map((key) => key.signer),
        );
        const parsed = parseNote(note);
        assert.equal(parsed.text, text);
        assert.deepEqual(
          parsed.signatures.map(({ name, keyId }) => [name, keyId]),
          keys.map(({ signer }) => [signer.name, signer.keyId]),
        );
        const opened = openNote(
          note,
          keys.map((key) => key.verifier),
        );
        assert.equal(opened.text, text);
        assert.deepEqual(
          opened.verifiedBy,
          keys.map((key) => key.verifier.verifierKey),
        );
      }),
      RUNS,
    );
  });

  it('rejects a note when any byte of its text is flipped', () => {
    fc.assert(
      fc.property(noteText, signerSet, fc.nat(), fc.integer({ min: 1, max: 255 }), (text, keys, at, mask) => {
        const { signatures } = parseNote(
          signNote(
            text,
            keys.map((key) => key.signer),
          ),
        );
        const bytes = utf8(text);
        xorAt(bytes, at, mask);
        const flipped = bytes.toString('utf8');
        fc.pre(flipped !== text);
        assert.throws(
          () =>
            openNote(
              assembleNote(flipped, signatures),
              keys.map((key) => key.verifier),
            ),
          NoteError,
        );
      }),
      RUNS,
    );
  });

  it('rejects a note when any byte of its only signature line, key ID included, is flipped', () => {
    fc.assert(
      fc.property(
        noteText,
        fc.constantFrom(...POOL),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (text, key, at, mask) => {
          const [signature] = parseNote(signNote(text, [key.signer])).signatures;
          assert.ok(signature !== undefined);
          const keyIdBytes = Buffer.alloc(4);
          keyIdBytes.writeUInt32BE(signature.keyId);
          const payload = Buffer.concat([keyIdBytes, signature.signature]);
          xorAt(payload, at, mask);
          const flipped = { name: signature.name, keyId: payload.readUInt32BE(0), signature: payload.subarray(4) };
          assert.throws(() => openNote(assembleNote(text, [flipped]), [key.verifier]), NoteError);
        },
      ),
      RUNS,
    );
  });

  it('rejects a bad signature from a known key even when another known key verifies', () => {
    fc.assert(
      fc.property(
        noteText,
        fc.subarray([...POOL], { minLength: 2 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (text, keys, which, at, mask) => {
          const { signatures } = parseNote(
            signNote(
              text,
              keys.map((key) => key.signer),
            ),
          );
          const target = which % signatures.length;
          const tampered = signatures.map((signature, index) =>
            index === target ? flipSignatureByte(signature, at, mask) : signature,
          );
          const note = assembleNote(text, tampered);
          assert.throws(
            () =>
              openNote(
                note,
                keys.map((key) => key.verifier),
              ),
            { name: 'NoteError', message: /is invalid/ },
          );
          const others = keys.filter((_, index) => index !== target);
          assert.deepEqual(
            openNote(
              note,
              others.map((key) => key.verifier),
            ).verifiedBy,
            others.map((key) => key.verifier.verifierKey),
          );
        },
      ),
      RUNS,
    );
  });

  it('ignores signatures from unknown keys, wherever they appear', () => {
    const role = fc.constantFrom('known', 'unknown', 'absent');
    const garbageLine = fc.record({
      name: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }).filter((name) => !/[ +]/.test(name)),
      keyId: fc.nat({ max: 0xffffffff }),
      signature: fc.uint8Array({ minLength: 1, maxLength: 80 }),
    });
    fc.assert(
      fc.property(
        noteText,
        fc.array(role, { minLength: POOL.length, maxLength: POOL.length }),
        fc.array(garbageLine, { maxLength: 4 }),
        (text, roles, garbage) => {
          const known = POOL.filter((_, index) => roles[index] === 'known');
          const unknown = POOL.filter((_, index) => roles[index] === 'unknown');
          fc.pre(known.length > 0);
          fc.pre(
            garbage.every(({ name, keyId }) =>
              known.every(({ verifier }) => verifier.name !== name || verifier.keyId !== keyId),
            ),
          );
          const { signatures } = parseNote(
            signNote(
              text,
              [...unknown, ...known].map((key) => key.signer),
            ),
          );
          const opened = openNote(
            assembleNote(text, [...garbage, ...signatures]),
            known.map((key) => key.verifier),
          );
          assert.equal(opened.text, text);
          assert.deepEqual(
            opened.verifiedBy,
            known.map((key) => key.verifier.verifierKey),
          );
        },
      ),
      RUNS,
    );
  });

  it('opens a note signed by an old and a new key with either key or both', () => {
    assert.equal(oldKey.signer.name, newKey.signer.name);
    assert.notEqual(oldKey.signer.keyId, newKey.signer.keyId);
    const [oldVerifierKey, newVerifierKey] = [oldKey.verifier.verifierKey, newKey.verifier.verifierKey];
    fc.assert(
      fc.property(noteText, (text) => {
        const both = signNote(text, [oldKey.signer, newKey.signer]);
        assert.deepEqual(openNote(both, [oldKey.verifier]).verifiedBy, [oldVerifierKey]);
        assert.deepEqual(openNote(both, [newKey.verifier]).verifiedBy, [newVerifierKey]);
        assert.deepEqual(openNote(both, [newKey.verifier, oldKey.verifier]).verifiedBy, [
          oldVerifierKey,
          newVerifierKey,
        ]);
        const rotated = signNote(text, [newKey.signer]);
        assert.deepEqual(openNote(rotated, [oldKey.verifier, newKey.verifier]).verifiedBy, [newVerifierKey]);
        assert.throws(() => openNote(rotated, [oldKey.verifier]), NoteError);
      }),
      RUNS,
    );
  });
});
