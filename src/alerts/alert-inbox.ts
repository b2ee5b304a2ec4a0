import type { Clock } from '../clock/index.js';
import type { Db, Tx } from '../store/index.js';
import type { AlertBatch } from './types.js';

export interface InboxEntry {
  readonly id: string;
  readonly receivedAt: string;
  readonly actor: string;
  readonly batch: AlertBatch;
}

const MAX_ROWS_PER_INSERT = 200;
let sequence = 0;

/** Ids sort in order of receipt: the clock's milliseconds, then a counter for receipts within one millisecond. */
function inboxIdOf(now: Date): string {
  sequence = (sequence + 1) % 1_000_000_000;
  return `${now.getTime().toString().padStart(15, '0')}-${sequence.toString().padStart(9, '0')}`;
}

interface Waiting {
  readonly row: { id: string; received_at: string; actor: string; source: string; payload: string };
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Where alert deliveries wait, durably, to be turned into events. Receipts that arrive while a write is in flight
 * share the next write (a group commit), so many concurrent senders cost few commits and a lone sender waits for
 * only its own.
 */
export class AlertInbox {
  private waiting: Waiting[] = [];
  private writing: Promise<void> | undefined;

  private constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  static create(deps: { readonly db: Db; readonly clock: Clock }): AlertInbox {
    return new AlertInbox(deps.db, deps.clock);
  }

  /** Resolves once the batch is committed; the returned id is the receipt. */
  async put(actor: string, batch: AlertBatch): Promise<string> {
    const row = this.rowOf(actor, batch);
    await new Promise<void>((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      this.writing ??= this.writeWaiting();
    });
    return row.id;
  }

  /** Puts a batch inside a caller's transaction, such as the SLO evaluator's. */
  async putIn(tx: Tx, actor: string, batch: AlertBatch): Promise<string> {
    const row = this.rowOf(actor, batch);
    await tx.insertInto('alert_inbox').values(row).execute();
    return row.id;
  }

  /** The oldest entries, for the processor inside its transaction. */
  async take(tx: Tx, limit: number): Promise<InboxEntry[]> {
    const rows = await tx.selectFrom('alert_inbox').selectAll().orderBy('id').limit(limit).execute();
    return rows.map((row) => ({
      id: row.id,
      receivedAt: row.received_at,
      actor: row.actor,
      batch: JSON.parse(row.payload) as AlertBatch,
    }));
  }

  async remove(tx: Tx, ids: ReadonlyArray<string>): Promise<void> {
    for (let start = 0; start < ids.length; start += 500) {
      await tx
        .deleteFrom('alert_inbox')
        .where('id', 'in', ids.slice(start, start + 500))
        .execute();
    }
  }

  async depth(): Promise<number> {
    const row = await this.db
      .selectFrom('alert_inbox')
      .select((eb) => eb.fn.countAll().as('count'))
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  private rowOf(actor: string, batch: AlertBatch) {
    const now = this.clock.now();
    return {
      id: inboxIdOf(now),
      received_at: now.toISOString(),
      actor,
      source: batch.source,
      payload: JSON.stringify(batch),
    };
  }

  private async writeWaiting(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0, MAX_ROWS_PER_INSERT);
      try {
        await this.db
          .insertInto('alert_inbox')
          .values(group.map((waiting) => waiting.row))
          .execute();
        for (const waiting of group) waiting.resolve();
      } catch (error: unknown) {
        for (const waiting of group) waiting.reject(error);
      }
    }
    this.writing = undefined;
  }
}
