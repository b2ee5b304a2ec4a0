/** Runs `work` at once and then every `intervalMs`, never two runs at a time; `stop()` waits for the run in flight. */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  private constructor(
    private readonly work: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  static create(work: () => Promise<unknown>, onError: (error: unknown) => void): PeriodicTask {
    return new PeriodicTask(work, onError);
  }

  start(intervalMs: number): void {
    this.stopTimer();
    this.timer = setInterval(() => this.runOnce(), intervalMs);
    // Background work never keeps the process alive on its own.
    this.timer.unref();
    this.runOnce();
  }

  async stop(): Promise<void> {
    this.stopTimer();
    await this.running;
  }

  private runOnce(): void {
    if (this.running !== undefined) return;
    this.running = this.work()
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        this.running = undefined;
      });
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
