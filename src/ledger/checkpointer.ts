import type { Ledger, StoredCheckpoint } from './ledger.js';

export interface CheckpointerOptions {
  readonly ledger: Ledger;
  /** At most this long between new entries and a checkpoint that covers them. */
  readonly intervalMs: number;
  readonly onError: (error: unknown) => void;
  readonly onSigned?: (checkpoint: StoredCheckpoint) => void;
}

/**
 * Signs a checkpoint on every tick when the ledger has grown, whichever process or replica appended, and once
 * more on stop so that nothing acknowledged is left uncovered.
 */
export class Checkpointer {
  private running: Promise<void> | undefined;
  private lastSize: bigint | undefined;

  private constructor(
    private readonly options: CheckpointerOptions,
    private readonly timer: NodeJS.Timeout,
  ) {}

  static start(options: CheckpointerOptions): Checkpointer {
    let checkpointer: Checkpointer | undefined;
    const timer = setInterval(() => checkpointer?.tick(), options.intervalMs);
    timer.unref();
    checkpointer = new Checkpointer(options, timer);
    checkpointer.tick();
    return checkpointer;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.signNow();
  }

  private tick(): void {
    if (this.running !== undefined) return;
    this.running = this.signNow().finally(() => {
      this.running = undefined;
    });
  }

  private async signNow(): Promise<void> {
    try {
      const checkpoint = await this.options.ledger.checkpoint();
      if (checkpoint !== undefined && checkpoint.checkpoint.size !== this.lastSize) {
        this.lastSize = checkpoint.checkpoint.size;
        this.options.onSigned?.(checkpoint);
      }
    } catch (error: unknown) {
      this.options.onError(error);
    }
  }
}
