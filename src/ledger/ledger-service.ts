import { authorise } from '../auth/authorise.js';
import { actorOf, type Principal } from '../auth/principal.js';
import type { Clock } from '../clock/index.js';
import { ConflictError, InputError, NotFoundError, UnavailableError } from '../errors/index.js';
import type { Db } from '../store/index.js';
import { EVIDENCE_FORMAT, type EvidenceBundle, sealBundle } from './evidence-bundle.js';
import type { Ledger, StoredCheckpoint } from './ledger.js';
import { type EventJson, eventJsonOf, type LedgerEvent, parseLeaf } from './ledger-event.js';
import { type EntryRow, findEntries, findEntryById, readEntries } from './ledger-store.js';
import { type Hash, toHex } from './merkle.js';
import type { ProjectorRegistry } from './projector.js';
import { type ReplayResult, replayLedger } from './replay-ledger.js';
import type { NoteSigner } from './signed-note.js';
import { type LedgerVerification, verifyLedger } from './verify-ledger.js';

export const MAX_ENTRIES_PER_PAGE = 1000;
export const MAX_EXPORT_ENTRIES = 100_000;
export const EVIDENCE_EXPORTED = 'ledger.evidence_exported';
export const RESTRICTED_ERASED = 'ledger.restricted_erased';

export interface LedgerEntryView {
  readonly index: string;
  readonly event: EventJson;
  /** Base64 of the exact bytes that were hashed. */
  readonly leaf: string;
}

export interface ExportFilter {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly subject?: string | undefined;
  readonly type?: string | undefined;
}

/** What the CLI and the HTTP API do with the ledger, behind the same authorisation. */
export class LedgerService {
  private constructor(
    private readonly ledger: Ledger,
    private readonly db: Db,
    private readonly projectors: ProjectorRegistry,
    private readonly signers: ReadonlyArray<NoteSigner>,
    private readonly clock: Clock,
  ) {}

  static create(deps: {
    readonly ledger: Ledger;
    readonly db: Db;
    readonly projectors: ProjectorRegistry;
    readonly signers: ReadonlyArray<NoteSigner>;
    readonly clock: Clock;
  }): LedgerService {
    return new LedgerService(deps.ledger, deps.db, deps.projectors, deps.signers, deps.clock);
  }

  async latestCheckpoint(principal: Principal): Promise<StoredCheckpoint> {
    authorise(principal, 'ledger:read');
    const latest = (await this.ledger.latestCheckpoint()) ?? (await this.ledger.checkpoint());
    if (latest === undefined) throw new UnavailableError('no checkpoint has been signed yet');
    return latest;
  }

  async signCheckpoint(principal: Principal): Promise<StoredCheckpoint> {
    authorise(principal, 'ledger:manage');
    const signed = await this.ledger.checkpoint();
    if (signed === undefined) throw new UnavailableError('this ledger has no signing key');
    return signed;
  }

  verifierKeys(principal: Principal): string[] {
    authorise(principal, 'ledger:read');
    return this.signers.map((signer) => signer.verifierKey);
  }

  async head(principal: Principal): Promise<{ size: bigint; root: string }> {
    authorise(principal, 'ledger:read');
    const head = await this.ledger.head();
    return { size: head.size, root: toHex(head.root) };
  }

  /** Entries with index in [start, end), at most MAX_ENTRIES_PER_PAGE. */
  async entries(principal: Principal, start: bigint, end: bigint): Promise<LedgerEntryView[]> {
    authorise(principal, 'ledger:read');
    if (start < 0n || end < start) {
      throw new InputError(`no entries from ${start} to ${end}`, {
        details: [{ path: 'end', message: 'must be at least start, and start at least 0' }],
      });
    }
    if (end - start > BigInt(MAX_ENTRIES_PER_PAGE)) {
      throw new InputError(`at most ${MAX_ENTRIES_PER_PAGE} entries per request`, {
        details: [{ path: 'end', message: `must be at most start + ${MAX_ENTRIES_PER_PAGE}` }],
      });
    }
    const size = (await this.ledger.head()).size;
    // Past the end there is nothing to read, and PostgreSQL's bigint could not even hold an index past 2^63.
    if (start >= size) return [];
    return (await readEntries(this.db, start, end < size ? end : size)).map(viewOf);
  }

  async entry(principal: Principal, indexOrId: string): Promise<LedgerEntryView> {
    authorise(principal, 'ledger:read');
    const row = /^(0|[1-9][0-9]*)$/.test(indexOrId)
      ? await this.entryAt(BigInt(indexOrId))
      : await findEntryById(this.db, indexOrId);
    if (row === undefined) throw new NotFoundError(`the ledger has no entry ${indexOrId}`);
    return viewOf(row);
  }

  async inclusionProof(principal: Principal, index: bigint, size: bigint): Promise<Hash[]> {
    authorise(principal, 'ledger:read');
    return this.ledger.inclusionProof(index, size);
  }

  async consistencyProof(principal: Principal, from: bigint, to: bigint): Promise<Hash[]> {
    authorise(principal, 'ledger:read');
    return this.ledger.consistencyProof(from, to);
  }

  /** An entry with its inclusion proof against a freshly signed checkpoint. */
  async prove(
    principal: Principal,
    indexOrId: string,
  ): Promise<{ entry: LedgerEntryView; checkpoint: StoredCheckpoint; proof: string[] }> {
    const entry = await this.entry(principal, indexOrId);
    const checkpoint = await this.latestCoveringCheckpoint(BigInt(entry.index) + 1n);
    const proof = await this.ledger.inclusionProof(BigInt(entry.index), checkpoint.checkpoint.size);
    return { entry, checkpoint, proof: proof.map(toHex) };
  }

  /** A self-contained, sealed bundle of the matching entries; the export itself is recorded in the ledger. */
  async exportEvidence(principal: Principal, filter: ExportFilter): Promise<EvidenceBundle> {
    authorise(principal, 'ledger:manage');
    if (this.signers.length === 0) throw new UnavailableError('this ledger has no signing key');
    const rows = await findEntries(this.db, { ...filter, limit: MAX_EXPORT_ENTRIES + 1 });
    if (rows.length > MAX_EXPORT_ENTRIES) {
      throw new InputError(`more than ${MAX_EXPORT_ENTRIES} entries match; narrow the filter`, {
        details: [{ path: 'filter', message: 'matches too many entries' }],
      });
    }
    const exportedBy = actorOf(principal);
    await this.ledger.append({
      actor: exportedBy,
      type: EVIDENCE_EXPORTED,
      subject: 'ledger',
      data: { filter: { ...compact(filter) }, entries: rows.length },
    });
    const checkpoint = await this.latestCoveringCheckpoint(0n);
    const entries = [];
    for (const row of rows) {
      const proof = await this.ledger.inclusionProof(row.index, checkpoint.checkpoint.size);
      entries.push({
        index: row.index.toString(),
        leaf: Buffer.from(row.leaf, 'utf8').toString('base64'),
        proof: proof.map(toHex),
      });
    }
    return sealBundle(
      {
        format: EVIDENCE_FORMAT,
        origin: checkpoint.checkpoint.origin,
        exportedAt: this.clock.now().toISOString(),
        exportedBy,
        filter: compact(filter),
        checkpoint: checkpoint.note,
        verifierKeys: this.signers.map((signer) => signer.verifierKey),
        entries,
      },
      this.signers,
    );
  }

  async verify(principal: Principal): Promise<LedgerVerification> {
    authorise(principal, 'ledger:read');
    return verifyLedger(this.db, this.ledger.verifiers);
  }

  async replay(principal: Principal): Promise<ReplayResult> {
    authorise(principal, 'ledger:read');
    return replayLedger(this.db, this.projectors);
  }

  /**
   * Erases the restricted data kept beside one entry (personal data, a token hash). The leaf keeps only its digest,
   * so every proof stays valid; the erasure itself is recorded.
   */
  async eraseRestricted(principal: Principal, indexOrId: string, reason: string): Promise<LedgerEvent> {
    authorise(principal, 'ledger:manage');
    if (reason.trim().length < 3) {
      throw new InputError('say why the data is erased', { details: [{ path: 'reason', message: 'is required' }] });
    }
    const entry = await this.entry(principal, indexOrId);
    return this.ledger.transact(async (tx) => {
      const erased = await tx.db
        .updateTable('ledger_entries')
        .set({ restricted: null })
        .where('seq', '=', entry.index)
        .where('restricted', 'is not', null)
        .executeTakeFirst();
      if (erased.numUpdatedRows === 0n) throw new ConflictError(`entry ${entry.index} has no restricted data to erase`);
      return tx.append({
        actor: actorOf(principal),
        type: RESTRICTED_ERASED,
        subject: `ledger:${entry.index}`,
        data: { index: entry.index, id: entry.event.id, subject: entry.event.subject, reason },
      });
    });
  }

  private async entryAt(index: bigint): Promise<EntryRow | undefined> {
    // PostgreSQL's bigint cannot hold every index a caller may ask for, so nothing past the head is looked up.
    if (index >= (await this.ledger.head()).size) return undefined;
    return (await readEntries(this.db, index, index + 1n))[0];
  }

  private async latestCoveringCheckpoint(size: bigint): Promise<StoredCheckpoint> {
    const signed = await this.ledger.checkpoint();
    if (signed === undefined || signed.checkpoint.size < size) {
      throw new UnavailableError('this ledger has no signing key, so it cannot sign a checkpoint');
    }
    return signed;
  }
}

function viewOf(row: EntryRow): LedgerEntryView {
  const parsed = parseLeaf(row.leaf);
  return {
    index: row.index.toString(),
    event: parsed.ok
      ? eventJsonOf(parsed.event)
      : eventJsonOf({
          seq: row.index,
          id: row.id,
          time: row.time,
          actor: row.actor,
          type: row.type,
          subject: row.subject,
          data: null,
          restrictedDigest: undefined,
        }),
    leaf: Buffer.from(row.leaf, 'utf8').toString('base64'),
  };
}

function compact(filter: ExportFilter): { from?: string; to?: string; subject?: string; type?: string } {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}
