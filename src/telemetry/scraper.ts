/**
 * Feeds the embedded SLI store by scraping the Prometheus text endpoints of SLOs whose data source is
 * PrometheusText: each scrape sums the counters the SLI's selectors pick out and ingests what they grew by since the
 * scrape before, as one point at the scrape's time.
 * @module
 */
import type { Clock } from '../clock/index.js';
import { assertNever, InputError, type ProblemDetail } from '../errors/index.js';
import type { SloDefinition } from '../slo/types.js';
import { isNamed, networkCode } from './fetch-errors.js';
import {
  type MetricSelector,
  matchesSelector,
  parsePrometheusText,
  parseSelector,
  type TextSample,
} from './prometheus-text.js';

/** The slice of the embedded SLI store the scraper writes to. */
export interface ScrapedPointSink {
  ingest(
    sloId: string,
    points: ReadonlyArray<{ readonly time: Date; readonly good: number; readonly total: number }>,
  ): Promise<{ readonly accepted: number }>;
}

export interface SliScraperOptions {
  readonly store: ScrapedPointSink;
  readonly clock: Clock;
  readonly fetch?: typeof fetch;
  /** Called once per SLO and failed scrape; the other SLOs go on. */
  readonly onError: (failure: ScrapeFailure) => void;
  /** Per scrape, the body included, and never longer than the SLO's interval; 10 000 by default. */
  readonly timeoutMs?: number;
  /** How often `start` looks for SLOs due a scrape; 1 000 by default. */
  readonly tickMs?: number;
}

export type ScrapeFailureKind =
  | 'unreachable'
  | 'timeout'
  | 'http-status'
  | 'too-large'
  | 'malformed'
  | 'not-a-counter'
  | 'unsupported-sli'
  | 'store'
  | 'internal';

export interface ScrapeFailure {
  /** Empty for an `internal` failure of a whole round. */
  readonly sloId: string;
  /** The URL without credentials, query string or fragment. */
  readonly target: string;
  readonly kind: ScrapeFailureKind;
  /** Names the SLO and the target, then what went wrong. */
  readonly message: string;
  /** The error behind a `store` or `internal` failure. */
  readonly cause: unknown;
}

export type ScrapeOutcome =
  /** The first scrape of the SLO (or of its changed definition): counters recorded, nothing ingested. */
  | { readonly sloId: string; readonly status: 'baseline' }
  /** No events since the scrape before. */
  | { readonly sloId: string; readonly status: 'idle' }
  | {
      readonly sloId: string;
      readonly status: 'ingested';
      readonly point: { readonly time: Date; readonly good: number; readonly total: number };
    }
  | { readonly sloId: string; readonly status: 'failed'; readonly failure: ScrapeFailure };

/** The body limit: a scrape larger than this fails rather than being read into memory. */
export const MAX_SCRAPE_BYTES = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_TICK_MS = 1_000;
const ACCEPT = 'text/plain;version=0.0.4';

/** Per-series counter values at the last good scrape, and the fraction of an event not yet ingested. */
interface CounterState {
  readonly series: ReadonlyMap<string, number>;
  readonly carry: number;
}

interface SloState {
  readonly signature: string;
  readonly plan: { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly failure: ScrapeFailure };
  nextDueAt: number;
  inFlight: boolean;
  baseline: { readonly total: CounterState; readonly part: CounterState } | undefined;
}

/** What to read from a scrape: the total selector, and the good or bad one. */
interface Plan {
  readonly total: MetricSelector;
  readonly part: MetricSelector;
  readonly partIs: 'good' | 'bad';
}

type Fetched =
  | { readonly ok: true; readonly samples: ReadonlyMap<string, ReadonlyArray<TextSample>> }
  | { readonly ok: false; readonly kind: ScrapeFailureKind; readonly message: string };

type Counted =
  | { readonly ok: true; readonly state: CounterState; readonly increase: number }
  | { readonly ok: false; readonly failure: ScrapeFailure };

/**
 * Counter semantics follow Prometheus: per series, a value below the last one is a reset, so the new value is the
 * increase; a series that appears after the first scrape counts from zero. Counts are rounded to whole events,
 * the fraction carried to the next scrape, and a part larger than its total is cut to the total. The state lives
 * in memory: after a restart (or a change to the SLO's target or queries) the first scrape is a baseline again,
 * and the events between are not counted. A failed scrape keeps the last baseline, so the next good one counts
 * everything since.
 */
export class SliScraper {
  private readonly states = new Map<string, SloState>();
  private readonly running = new Set<Promise<unknown>>();
  private slos: () => ReadonlyArray<SloDefinition> = () => [];
  private timer: NodeJS.Timeout | undefined;
  private stopping = new AbortController();

  private constructor(
    private readonly store: ScrapedPointSink,
    private readonly clock: Clock,
    private readonly fetchFn: typeof fetch,
    private readonly onError: (failure: ScrapeFailure) => void,
    private readonly timeoutMs: number,
    private readonly tickMs: number,
  ) {}

  static create(options: SliScraperOptions): SliScraper {
    const problems: ProblemDetail[] = [];
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
      problems.push({ path: 'timeoutMs', message: 'must be a positive whole number of milliseconds' });
    }
    if (!Number.isSafeInteger(tickMs) || tickMs <= 0) {
      problems.push({ path: 'tickMs', message: 'must be a positive whole number of milliseconds' });
    }
    if (problems.length > 0) throw new InputError('the SLI scraper options are not valid', { details: problems });
    return new SliScraper(
      options.store,
      options.clock,
      options.fetch ?? globalThis.fetch,
      options.onError,
      timeoutMs,
      tickMs,
    );
  }

  /** Scrapes each SLO with a scrape target every interval, reading the SLO list afresh on every tick. */
  start(slos: () => ReadonlyArray<SloDefinition>): void {
    if (this.timer !== undefined) return;
    this.slos = slos;
    this.timer = setInterval(() => {
      this.track(this.tick()).catch((error: unknown) => {
        try {
          this.onError({
            sloId: '',
            target: '',
            kind: 'internal',
            message: 'an SLI scrape round failed',
            cause: error,
          });
        } catch {
          // onError itself failed: nothing is left to tell, and the next tick tries again.
        }
      });
    }, this.tickMs);
    this.timer.unref();
  }

  /** Stops the timer, cancels scrapes in flight and waits for them to settle. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await Promise.allSettled([...this.running]);
    this.stopping = new AbortController();
  }

  /**
   * Scrapes every SLO with a scrape target now, whether due or not (those with a scrape in flight excepted), and
   * reports each one's outcome; failures also go to `onError`. Without `slos`, the list given to `start`.
   */
  scrapeOnce(slos: ReadonlyArray<SloDefinition> = this.slos()): Promise<ReadonlyArray<ScrapeOutcome>> {
    return this.track(this.scrape(slos, () => true, false));
  }

  private async tick(): Promise<ReadonlyArray<ScrapeOutcome>> {
    const now = this.clock.now().getTime();
    return this.scrape(this.slos(), (state) => state.nextDueAt <= now, true);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    // The caller's promise is the one that reports; this one only leaves the set.
    work.then(
      () => this.running.delete(work),
      () => this.running.delete(work),
    );
    return work;
  }

  private async scrape(
    slos: ReadonlyArray<SloDefinition>,
    due: (state: SloState) => boolean,
    forgetOthers: boolean,
  ): Promise<ReadonlyArray<ScrapeOutcome>> {
    const now = this.clock.now();
    const scraped = new Set<string>();
    const byUrl = new Map<string, Array<{ readonly slo: SloDefinition; readonly state: SloState }>>();
    const outcomes: ScrapeOutcome[] = [];
    for (const slo of slos) {
      if (slo.scrape === undefined) continue;
      scraped.add(slo.id);
      const state = this.stateOf(slo);
      if (state.inFlight || !due(state)) continue;
      state.nextDueAt = now.getTime() + slo.scrape.intervalMs;
      if (!state.plan.ok) {
        outcomes.push(this.failed(state.plan.failure));
        continue;
      }
      state.inFlight = true;
      const group = byUrl.get(slo.scrape.url) ?? [];
      group.push({ slo, state });
      byUrl.set(slo.scrape.url, group);
    }
    if (forgetOthers) for (const id of this.states.keys()) if (!scraped.has(id)) this.states.delete(id);

    const groups = await Promise.all(
      [...byUrl].map(async ([url, group]) => {
        try {
          const timeoutMs = Math.min(
            this.timeoutMs,
            ...group.map(({ slo }) => slo.scrape?.intervalMs ?? this.timeoutMs),
          );
          const fetched = await this.fetchSamples(url, timeoutMs);
          const results: ScrapeOutcome[] = [];
          // One SLO at a time, so that the store sees one ingest per scrape.
          for (const { slo, state } of group) {
            try {
              results.push(await this.record(slo, state, fetched, url, now));
            } catch (error: unknown) {
              results.push(this.failed(failure(slo.id, url, 'internal', 'recording the scrape failed', error)));
            }
          }
          return results;
        } finally {
          for (const { state } of group) state.inFlight = false;
        }
      }),
    );
    outcomes.push(...groups.flat());
    return outcomes;
  }

  private stateOf(slo: SloDefinition): SloState {
    const signature = JSON.stringify([slo.scrape, slo.sli]);
    const existing = this.states.get(slo.id);
    if (existing !== undefined && existing.signature === signature) return existing;
    const state: SloState = {
      signature,
      plan: planOf(slo),
      nextDueAt: Number.NEGATIVE_INFINITY,
      // A scrape of the old definition still in flight keeps its own state and cannot touch this one.
      inFlight: false,
      baseline: undefined,
    };
    this.states.set(slo.id, state);
    return state;
  }

  private async record(
    slo: SloDefinition,
    state: SloState,
    fetched: Fetched,
    url: string,
    time: Date,
  ): Promise<ScrapeOutcome> {
    if (!state.plan.ok) return this.failed(state.plan.failure);
    const plan = state.plan.plan;
    if (!fetched.ok) return this.failed(failure(slo.id, url, fetched.kind, fetched.message));
    const total = counted(slo.id, url, fetched.samples, plan.total, state.baseline?.total);
    if (!total.ok) return this.failed(total.failure);
    const part = counted(slo.id, url, fetched.samples, plan.part, state.baseline?.part);
    if (!part.ok) return this.failed(part.failure);
    const first = state.baseline === undefined;
    const next = { total: total.state, part: part.state };
    if (first || total.increase === 0) {
      state.baseline = next;
      return { sloId: slo.id, status: first ? 'baseline' : 'idle' };
    }
    const partCount = Math.min(part.increase, total.increase);
    const point = {
      time,
      good: plan.partIs === 'good' ? partCount : total.increase - partCount,
      total: total.increase,
    };
    try {
      await this.store.ingest(slo.id, [point]);
    } catch (error: unknown) {
      // The baseline stays, so the next scrape ingests these events too.
      return this.failed(failure(slo.id, url, 'store', 'the SLI store refused the point', error));
    }
    state.baseline = next;
    return { sloId: slo.id, status: 'ingested', point };
  }

  private failed(scrapeFailure: ScrapeFailure): ScrapeOutcome {
    if (!this.stopping.signal.aborted) this.onError(scrapeFailure);
    return { sloId: scrapeFailure.sloId, status: 'failed', failure: scrapeFailure };
  }

  /** One GET, its samples grouped by metric name; the deadline covers the body, which stops at the size limit. */
  private async fetchSamples(url: string, timeoutMs: number): Promise<Fetched> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: ACCEPT };
    // fetch refuses URLs with credentials, so they travel as basic auth.
    if (target.username !== '' || target.password !== '') {
      headers.authorization = `Basic ${Buffer.from(`${safeDecode(target.username)}:${safeDecode(target.password)}`).toString('base64')}`;
      target.username = '';
      target.password = '';
    }
    let text: string;
    try {
      const response = await this.fetchFn(target, {
        headers,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.stopping.signal]),
      });
      if (response.status < 200 || response.status > 299) {
        await response.body?.cancel();
        const reason = response.statusText === '' ? '' : ` ${response.statusText}`;
        return { ok: false, kind: 'http-status', message: `the target answered HTTP ${response.status}${reason}` };
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > MAX_SCRAPE_BYTES) {
        await response.body?.cancel();
        return { ok: false, kind: 'too-large', message: tooLarge() };
      }
      const body = await readLimited(response);
      if (!body.ok) return body;
      text = body.text;
    } catch (error: unknown) {
      if (isNamed(error, 'TimeoutError')) {
        return { ok: false, kind: 'timeout', message: `the target did not answer within ${timeoutMs} ms` };
      }
      if (isNamed(error, 'AbortError')) return { ok: false, kind: 'timeout', message: 'the scraper was stopped' };
      const code = networkCode(error);
      return {
        ok: false,
        kind: 'unreachable',
        message: `cannot reach the target${code === undefined ? '' : ` (${code})`}`,
      };
    }
    const parsed = parsePrometheusText(text);
    if (!parsed.ok) {
      return {
        ok: false,
        kind: 'malformed',
        message: `not the Prometheus text format: line ${parsed.error.line}: ${parsed.error.message}`,
      };
    }
    const byName = new Map<string, TextSample[]>();
    for (const sample of parsed.samples) {
      const named = byName.get(sample.name);
      if (named === undefined) byName.set(sample.name, [sample]);
      else named.push(sample);
    }
    return { ok: true, samples: byName };
  }
}

function planOf(slo: SloDefinition): SloState['plan'] {
  const target = slo.scrape;
  const url = target?.url ?? '';
  const sli = slo.sli;
  if (target === undefined || (sli.kind !== 'errors' && sli.kind !== 'good')) {
    const detail = `a scraped SLI counts good or bad events and a total, not ${sli.kind}`;
    return { ok: false, failure: failure(slo.id, url, 'unsupported-sli', detail) };
  }
  const total = parseSelector(sli.totalQuery);
  const part = parseSelector(sli.kind === 'good' ? sli.goodQuery : sli.errorQuery);
  if (!total.ok || !part.ok) {
    const detail = `a query is not a metric selector: ${total.ok ? (part.ok ? '' : part.message) : total.message}`;
    return { ok: false, failure: failure(slo.id, url, 'unsupported-sli', detail) };
  }
  const partIs = sli.kind === 'good' ? 'good' : 'bad';
  return { ok: true, plan: { total: total.selector, part: part.selector, partIs } };
}

/** The selector's series now, and what they grew by since `before` (nothing is counted without a `before`). */
function counted(
  sloId: string,
  url: string,
  samples: ReadonlyMap<string, ReadonlyArray<TextSample>>,
  selector: MetricSelector,
  before: CounterState | undefined,
): Counted {
  const series = new Map<string, number>();
  let increase = 0;
  for (const sample of samples.get(selector.name) ?? []) {
    if (!matchesSelector(selector, sample)) continue;
    const key = seriesKey(sample);
    const problem = !isCounter(sample)
      ? `${key} is a ${sample.type === 'summary' ? 'summary quantile' : sample.type}, not a counter`
      : !Number.isFinite(sample.value) || sample.value < 0
        ? `${key} has the value ${sample.value}, which no counter has`
        : series.has(key)
          ? `the target exposes ${key} twice`
          : undefined;
    if (problem !== undefined) return { ok: false, failure: failure(sloId, url, 'not-a-counter', problem) };
    series.set(key, sample.value);
    const previous = before?.series.get(key);
    increase += previous === undefined || sample.value < previous ? sample.value : sample.value - previous;
  }
  if (before === undefined) return { ok: true, state: { series, carry: 0 }, increase: 0 };
  const exact = before.carry + increase;
  const whole = Math.max(0, Math.round(exact));
  return { ok: true, state: { series, carry: exact - whole }, increase: whole };
}

/** Counters, untyped samples, and the `_bucket`, `_count` and `_sum` series of histograms and summaries. */
function isCounter(sample: TextSample): boolean {
  switch (sample.type) {
    case 'counter':
    case 'untyped':
      return true;
    case 'histogram':
    case 'summary':
      return /_(?:bucket|count|sum)$/.test(sample.name);
    case 'gauge':
      return false;
    default:
      return assertNever(sample.type, 'metric type');
  }
}

function seriesKey(sample: TextSample): string {
  const labels = Object.entries(sample.labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `${sample.name}{${labels.join(',')}}`;
}

function failure(
  sloId: string,
  url: string,
  kind: ScrapeFailureKind,
  detail: string,
  cause: unknown = undefined,
): ScrapeFailure {
  const target = displayUrl(url);
  return { sloId, target, kind, message: `SLO ${sloId}: scraping ${target} failed: ${detail}`, cause };
}

/** Origin and path only: the user part may hold credentials and the query string tokens. */
export function displayUrl(url: string): string {
  if (!URL.canParse(url)) return '(an invalid URL)';
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}${parsed.search === '' ? '' : '?…'}`;
}

/** The body as UTF-8 text, read no further than the size limit. */
async function readLimited(
  response: Response,
): Promise<
  { readonly ok: true; readonly text: string } | { readonly ok: false; kind: ScrapeFailureKind; message: string }
> {
  if (response.body === null) return { ok: true, text: '' };
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parts: string[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > MAX_SCRAPE_BYTES) {
      await reader.cancel();
      return { ok: false, kind: 'too-large', message: tooLarge() };
    }
    try {
      parts.push(decoder.decode(value, { stream: true }));
    } catch {
      await reader.cancel();
      return { ok: false, kind: 'malformed', message: 'the body is not valid UTF-8' };
    }
  }
  try {
    parts.push(decoder.decode());
  } catch {
    return { ok: false, kind: 'malformed', message: 'the body is not valid UTF-8' };
  }
  return { ok: true, text: parts.join('') };
}

function tooLarge(): string {
  return `the body is larger than ${MAX_SCRAPE_BYTES / 1024 / 1024} MB`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
