import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { openCheckpoint } from './checkpoint.js';
import { parseLeaf } from './ledger-event.js';
import { fromHex, leafHash, verifyInclusion } from './merkle.js';
import { type NoteSigner, type NoteVerifier, openNote, parseVerifierKey, signNote } from './signed-note.js';

export const EVIDENCE_FORMAT = 'sre-agent-evidence/v1';

const Decimal = z.string().regex(/^(0|[1-9][0-9]*)$/, 'must be a decimal string');
const HexHash = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

export const EvidenceBundleSchema = z.strictObject({
  format: z.literal(EVIDENCE_FORMAT),
  origin: z.string().min(1),
  exportedAt: z.string(),
  exportedBy: z.string(),
  filter: z.strictObject({
    from: z.string().optional(),
    to: z.string().optional(),
    subject: z.string().optional(),
    type: z.string().optional(),
  }),
  /** The signed checkpoint every proof leads to. */
  checkpoint: z.string(),
  /** The keys the ledger signed with when exporting, in signed-note vkey form. Trust them only if you know them. */
  verifierKeys: z.array(z.string()).min(1),
  entries: z.array(
    z.strictObject({
      index: Decimal,
      /** Base64 of the exact leaf bytes that were hashed. */
      leaf: z.string(),
      proof: z.array(HexHash),
    }),
  ),
  /** A signed note over the SHA-256 of the canonical JSON of everything above, so no byte can change unnoticed. */
  seal: z.string(),
});

export type EvidenceBundle = z.output<typeof EvidenceBundleSchema>;
export type UnsealedBundle = Omit<EvidenceBundle, 'seal'>;

export function sealBundle(bundle: UnsealedBundle, signers: ReadonlyArray<NoteSigner>): EvidenceBundle {
  return { ...bundle, seal: signNote(sealTextOf(bundle), signers) };
}

function sealTextOf(bundle: UnsealedBundle): string {
  const digest = createHash('sha256').update(canonicalJson(bundle), 'utf8').digest('hex');
  return `${EVIDENCE_FORMAT}\n${bundle.origin}\n${digest}\n`;
}

export interface BundleVerification {
  readonly ok: boolean;
  readonly origin: string | undefined;
  readonly checkpointSize: bigint | undefined;
  readonly entriesChecked: number;
  /** Which verifier keys the checkpoint was checked against, and whether they came from the bundle itself. */
  readonly trust: 'given' | 'bundle';
  readonly problems: ReadonlyArray<string>;
}

/**
 * Checks a bundle with no database: the seal, the checkpoint signature, and every entry's leaf and inclusion proof.
 * With no trusted keys given it falls back to the keys in the bundle, which proves integrity but not origin.
 */
export function verifyEvidenceBundle(text: string, trustedKeys: ReadonlyArray<string>): BundleVerification {
  const trust = trustedKeys.length > 0 ? 'given' : 'bundle';
  const failed = (problem: string, origin?: string): BundleVerification => ({
    ok: false,
    origin,
    checkpointSize: undefined,
    entriesChecked: 0,
    trust,
    problems: [problem],
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return failed('the bundle is not valid JSON');
  }
  const parsed = EvidenceBundleSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return failed(
      `the bundle is not an ${EVIDENCE_FORMAT} bundle: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  const bundle = parsed.data;
  let verifiers: NoteVerifier[];
  try {
    verifiers = (trust === 'given' ? trustedKeys : bundle.verifierKeys).map((key) => parseVerifierKey(key));
  } catch (error: unknown) {
    return failed(`a verifier key is malformed: ${reasonOf(error)}`, bundle.origin);
  }
  const { seal, ...unsealed } = bundle;
  try {
    const opened = openNote(seal, verifiers);
    if (opened.text !== sealTextOf(unsealed))
      return failed('the seal does not match the bundle: it was changed after export', bundle.origin);
  } catch (error: unknown) {
    return failed(`the seal does not verify: ${reasonOf(error)}`, bundle.origin);
  }
  let checkpoint: ReturnType<typeof openCheckpoint>['checkpoint'];
  try {
    checkpoint = openCheckpoint(bundle.checkpoint, verifiers, bundle.origin).checkpoint;
  } catch (error: unknown) {
    return failed(`the checkpoint does not verify: ${reasonOf(error)}`, bundle.origin);
  }
  const problems: string[] = [];
  let checked = 0;
  for (const entry of bundle.entries) {
    const index = BigInt(entry.index);
    const bytes = Buffer.from(entry.leaf, 'base64');
    const leaf = parseLeaf(bytes.toString('utf8'));
    if (!leaf.ok) problems.push(`entry ${index}: ${leaf.reason}`);
    else if (leaf.event.seq !== index) problems.push(`entry ${index}: its leaf says seq ${leaf.event.seq}`);
    else if (!verifyInclusion(index, checkpoint.size, leafHash(bytes), entry.proof.map(fromHex), checkpoint.root)) {
      problems.push(`entry ${index}: its inclusion proof does not lead to the checkpoint's root`);
    } else checked += 1;
  }
  return {
    ok: problems.length === 0,
    origin: bundle.origin,
    checkpointSize: checkpoint.size,
    entriesChecked: checked,
    trust,
    problems,
  };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
