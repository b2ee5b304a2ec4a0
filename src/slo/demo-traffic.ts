import type { Clock } from '../clock/index.js';
import type { SliPointSink } from './slo-service.js';
import type { SloDefinition } from './types.js';

/**
 * DEMO DATA, never real telemetry: synthetic good/total points for every SLO, so that a fresh `npm start` shows
 * budgets moving and a burn-rate alert firing within minutes. It backfills three days, then adds points for the
 * current minute on every tick. History has a short daily blip per SLO; live, two minutes after start and then
 * every half hour, one SLO (in turn) has a five-minute outage with half its requests failing, enough to page on a 99.9 % objective
 * within a minute or two.
 */
export interface DemoTrafficOptions {
  readonly sink: SliPointSink;
  readonly clock: Clock;
  readonly slos: () => ReadonlyArray<SloDefinition>;
  readonly tickMs: number;
  readonly onError: (error: unknown) => void;
  /** Requests per minute per SLO before noise. */
  readonly requestsPerMinute?: number;
}

const MINUTE = 60_000;
const BACKFILL_MINUTES = 3 * 24 * 60;
const OUTAGE_EVERY_MINUTES = 30;
const FIRST_OUTAGE_AFTER_MINUTES = 2;
const OUTAGE_MINUTES = 5;
const OUTAGE_ERROR_RATIO = 0.5;
const DAILY_BLIP_MINUTES = 5;
const DAILY_BLIP_ERROR_RATIO = 0.01;

export class DemoTraffic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private startMinute = 0;

  private constructor(private readonly options: DemoTrafficOptions) {}

  static create(options: DemoTrafficOptions): DemoTraffic {
    return new DemoTraffic(options);
  }

  /** Backfills history, then pushes points on every tick until stopped. */
  async start(): Promise<void> {
    this.startMinute = Math.floor(this.options.clock.now().getTime() / MINUTE);
    await this.backfill();
    this.timer = setInterval(() => {
      if (this.running !== undefined) return;
      this.running = this.pushCurrent()
        .catch((error: unknown) => this.options.onError(error))
        .finally(() => {
          this.running = undefined;
        });
    }, this.options.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
  }

  /** The points one SLO gets for one minute: steady traffic with a little noise, and its turn at an outage. */
  pointFor(slo: SloDefinition, index: number, minute: number): { time: Date; good: number; total: number } {
    const perMinute = this.options.requestsPerMinute ?? 600;
    const noise = pseudoRandom(minute * 31 + index);
    const total = Math.round(perMinute * (0.8 + 0.4 * noise));
    const budget = (100 - slo.objectivePercent) / 100;
    const count = Math.max(1, this.options.slos().length);
    const live = minute - this.startMinute - FIRST_OUTAGE_AFTER_MINUTES;
    const outage =
      live >= 0 &&
      Math.floor(live / OUTAGE_EVERY_MINUTES) % count === index &&
      live % OUTAGE_EVERY_MINUTES < OUTAGE_MINUTES;
    const intoDay = (minute % 1_440) - ((600 + index * 97) % 1_440);
    const blip = minute < this.startMinute && intoDay >= 0 && intoDay < DAILY_BLIP_MINUTES;
    // Normally a fifth of the sustainable error rate, so budgets recover between outages.
    const ratio = outage ? OUTAGE_ERROR_RATIO : blip ? DAILY_BLIP_ERROR_RATIO : budget * 0.2 * (0.5 + noise);
    const bad = Math.min(total, Math.round(total * ratio));
    return { time: new Date(minute * MINUTE), good: total - bad, total };
  }

  private async backfill(): Promise<void> {
    const now = Math.floor(this.options.clock.now().getTime() / MINUTE);
    for (const [index, slo] of this.options.slos().entries()) {
      const points = [];
      for (let minute = now - BACKFILL_MINUTES; minute < now; minute += 1)
        points.push(this.pointFor(slo, index, minute));
      for (let start = 0; start < points.length; start += 5_000) {
        await this.options.sink.ingest(slo.id, points.slice(start, start + 5_000));
      }
    }
  }

  /** One tick's points for the current minute; `start` runs it on a timer. */
  async pushCurrent(): Promise<void> {
    const now = this.options.clock.now();
    const minute = Math.floor(now.getTime() / MINUTE);
    const share = this.options.tickMs / MINUTE;
    for (const [index, slo] of this.options.slos().entries()) {
      const full = this.pointFor(slo, index, minute);
      // Each tick adds its share of the minute, stamped with the tick's own time so batches never repeat.
      const total = Math.max(1, Math.round(full.total * share));
      const good = Math.round((full.good / Math.max(1, full.total)) * total);
      await this.options.sink.ingest(slo.id, [{ time: now, good, total }]);
    }
  }
}

/** A repeatable number in [0, 1) for the demo's noise: the same minute always looks the same. */
function pseudoRandom(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43_758.5453;
  return x - Math.floor(x);
}
