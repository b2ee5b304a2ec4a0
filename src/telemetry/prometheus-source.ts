/**
 * SLIs from a Prometheus-compatible HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics): per SLO and window,
 * one instant query for the error ratio and, when the SLI counts events, one for the total rate.
 * @module
 */
import { z } from 'zod';
import { formatDuration } from '../clock/duration.js';
import { assertNever, InputError, type ProblemDetail, UnavailableError } from '../errors/index.js';
import type { SliSpec, SloDefinition, ThresholdOperator } from '../slo/types.js';
import { isNamed, networkCode } from './fetch-errors.js';
import type { TelemetrySource, WindowRequest, WindowSli } from './telemetry-source.js';

export interface PrometheusSourceOptions {
  /** The API root, such as `http://prometheus:9090` or Mimir's `https://mimir/prometheus`; credentials in it become basic auth. */
  readonly baseUrl: string;
  /** Per request, the body included; 30 000 by default. */
  readonly timeoutMs?: number;
  /** Sent with every request: `Authorization`, Mimir's `X-Scope-OrgID`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Requests in flight at once, across all callers of this source; 8 by default. */
  readonly maxConcurrentRequests?: number;
  readonly fetch?: typeof fetch;
  /**
   * Told about each SLO whose SLIs could not be read while others could; that SLO is answered with no data, so
   * one broken query does not stop the evaluation of every other SLO. Without it, any failure throws.
   */
  readonly onSloError?: (failure: SloQueryFailure) => void;
}

export interface PromSample {
  readonly time: Date;
  /** NaN and ±Infinity as Prometheus sent them. */
  readonly value: number;
}

export interface InstantSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly sample: PromSample;
}

export interface RangeSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly samples: ReadonlyArray<PromSample>;
}

export type InstantQueryValue =
  | { readonly resultType: 'vector'; readonly series: ReadonlyArray<InstantSeries> }
  | { readonly resultType: 'scalar'; readonly sample: PromSample }
  | { readonly resultType: 'matrix'; readonly series: ReadonlyArray<RangeSeries> };

/** Why Prometheus gave no usable answer. Messages name the server by origin only, never with credentials. */
export type PrometheusFailure =
  | { readonly kind: 'unreachable'; readonly message: string }
  | { readonly kind: 'timeout'; readonly message: string }
  | {
      readonly kind: 'http-status';
      readonly status: number;
      /** Prometheus's own classification, such as `bad_data` or `execution`, when the body carried one. */
      readonly errorType: string | undefined;
      readonly message: string;
    }
  | { readonly kind: 'unexpected-response'; readonly message: string }
  | { readonly kind: 'several-series'; readonly series: number; readonly message: string };

export type PrometheusResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: PrometheusFailure };

export type SliQueryRole = 'error-ratio' | 'total';

export interface SloQueryFailure {
  readonly sloId: string;
  readonly window: number;
  readonly query: SliQueryRole;
  readonly failure: PrometheusFailure;
  /** Names the SLO, the window and the query, then the failure. */
  readonly message: string;
}

export type SloWindowsResult =
  | { readonly ok: true; readonly windows: ReadonlyMap<number, WindowSli> }
  | { readonly ok: false; readonly error: SloQueryFailure };

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_CONCURRENT_REQUESTS = 8;
const MAX_ERROR_TEXT = 300;
const WINDOW_PLACEHOLDER = /\{\{\s*\.window\s*\}\}/g;

const OPERATORS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const satisfies Readonly<
  Record<ThresholdOperator, string>
>;

/** Error-ratio PromQL for the SLI over a window; each query stays on its own lines because PromQL has `#` comments. */
export function errorRatioQuery(sli: SliSpec, windowMs: number): string {
  switch (sli.kind) {
    case 'errors':
      return `(\n${withWindow(sli.errorQuery, windowMs)}\n)\n/\n(\n${withWindow(sli.totalQuery, windowMs)}\n)`;
    case 'good':
      return `1 - (\n(\n${withWindow(sli.goodQuery, windowMs)}\n)\n/\n(\n${withWindow(sli.totalQuery, windowMs)}\n)\n)`;
    case 'error-ratio':
      return withWindow(sli.errorRatioQuery, windowMs);
    case 'success-ratio':
      return `1 - (\n${withWindow(sli.successRatioQuery, windowMs)}\n)`;
    case 'threshold':
      // The share of minutes in the window when the value broke the threshold, as the native rules record it.
      return `1 - avg_over_time((\n(\n${withWindow(sli.query, windowMs)}\n) ${OPERATORS[sli.op]} bool ${promNumber(sli.value)}\n)[${promWindow(windowMs)}:1m])`;
    default:
      return assertNever(sli, 'SLI kind');
  }
}

/** The total-events rate query over a window, for SLIs that count events. */
export function totalQuery(sli: SliSpec, windowMs: number): string | undefined {
  return sli.kind === 'errors' || sli.kind === 'good' ? withWindow(sli.totalQuery, windowMs) : undefined;
}

/** Parses Prometheus's sample value text, which spells infinities `+Inf` and `-Inf`; undefined when not a number. */
export function parsePromValue(text: string): number | undefined {
  switch (text) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    default: {
      const value = text.trim() === '' ? Number.NaN : Number(text);
      return Number.isNaN(value) ? undefined : value;
    }
  }
}

export class PrometheusSource implements TelemetrySource {
  readonly kind = 'prometheus';

  private constructor(
    private readonly apiRoot: string,
    private readonly origin: string,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly timeoutMs: number,
    private readonly limiter: Limiter,
    private readonly fetchFn: typeof fetch,
    private readonly onSloError: ((failure: SloQueryFailure) => void) | undefined,
  ) {}

  /** Checks the options once and lists every problem in one InputError. */
  static create(options: PrometheusSourceOptions): PrometheusSource {
    const problems: ProblemDetail[] = [];
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
      problems.push({ path: 'timeoutMs', message: 'must be a positive whole number of milliseconds' });
    }
    const maxConcurrent = options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS;
    if (!Number.isSafeInteger(maxConcurrent) || maxConcurrent <= 0) {
      problems.push({ path: 'maxConcurrentRequests', message: 'must be a positive whole number' });
    }
    const headers = new Headers();
    try {
      for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    } catch {
      problems.push({ path: 'headers', message: 'holds a header name or value that HTTP does not allow' });
    }
    const url = URL.canParse(options.baseUrl) ? new URL(options.baseUrl) : undefined;
    // The URL is not echoed: it may carry credentials.
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      problems.push({ path: 'baseUrl', message: 'must be an http or https URL' });
    } else if (url.search !== '' || url.hash !== '') {
      problems.push({ path: 'baseUrl', message: 'must not have a query string or a fragment' });
    }
    if (problems.length > 0 || url === undefined) {
      throw new InputError('the Prometheus telemetry source options are not valid', { details: problems });
    }
    // fetch refuses URLs with credentials, so they travel as basic auth unless an Authorization header is given.
    if (url.username !== '' || url.password !== '') {
      const credentials = decodeCredentials(url);
      if (credentials === undefined) {
        throw new InputError('the Prometheus telemetry source options are not valid', {
          details: [{ path: 'baseUrl', message: 'holds credentials that are not valid percent-encoding' }],
        });
      }
      if (!headers.has('authorization')) {
        headers.set('authorization', `Basic ${Buffer.from(credentials).toString('base64')}`);
      }
      url.username = '';
      url.password = '';
    }
    headers.set('accept', 'application/json');
    return new PrometheusSource(
      url.href.replace(/\/+$/, ''),
      url.origin,
      Object.freeze(Object.fromEntries(headers)),
      timeoutMs,
      new Limiter(maxConcurrent),
      options.fetch ?? globalThis.fetch,
      options.onSloError,
    );
  }

  async windows(requests: ReadonlyArray<WindowRequest>, end: Date): Promise<Map<string, Map<number, WindowSli>>> {
    const results = await this.evaluateWindows(requests, end);
    const answers = new Map<string, Map<number, WindowSli>>();
    const failures: SloQueryFailure[] = [];
    for (const [sloId, result] of results) {
      if (result.ok) answers.set(sloId, new Map(result.windows));
      else failures.push(result.error);
    }
    const onSloError = this.onSloError;
    if (failures.length > 0 && failures.length < results.size && onSloError !== undefined) {
      for (const failure of failures) {
        onSloError(failure);
        answers.set(failure.sloId, new Map());
      }
      return answers;
    }
    if (failures.length > 0) {
      const which = failures.length === 1 ? 'one SLO' : `${failures.length} SLOs`;
      throw new UnavailableError(
        `Prometheus could not give the SLIs of ${which}: ${failures.map((failure) => failure.message).join('; ')}`,
        { details: failures.map((failure) => ({ path: failure.sloId, message: failure.message })) },
      );
    }
    return answers;
  }

  /**
   * The SLIs of every requested SLO, each SLO answered or failed on its own. Once Prometheus proves unreachable
   * or slow, the queries still waiting fail at once with the same failure rather than each waiting out a timeout.
   */
  async evaluateWindows(requests: ReadonlyArray<WindowRequest>, end: Date): Promise<Map<string, SloWindowsResult>> {
    requireDate(end, 'end');
    const bySlo = new Map<string, { slo: SloDefinition; windows: Set<number> }>();
    for (const request of requests) {
      for (const window of request.windows) {
        if (!Number.isSafeInteger(window) || window <= 0) {
          throw new InputError(`SLO ${request.slo.id}: a window must be a positive whole number of milliseconds`);
        }
      }
      const entry = bySlo.get(request.slo.id) ?? { slo: request.slo, windows: new Set<number>() };
      for (const window of request.windows) entry.windows.add(window);
      bySlo.set(request.slo.id, entry);
    }
    const run: Run = { end, abandoned: undefined };
    const results = await Promise.all(
      [...bySlo.values()].map(
        async ({ slo, windows }) => [slo.id, await this.sloWindows(slo, [...windows], run)] as const,
      ),
    );
    return new Map(results);
  }

  /** One instant query, evaluated at `time`. */
  async query(expr: string, time: Date): Promise<PrometheusResult<InstantQueryValue>> {
    requireDate(time, 'time');
    return this.instantQuery(expr, time, undefined);
  }

  /** One range query from `start` to `end` inclusive, a sample every `stepSeconds`. */
  async queryRange(
    expr: string,
    start: Date,
    end: Date,
    stepSeconds: number,
  ): Promise<PrometheusResult<ReadonlyArray<RangeSeries>>> {
    requireDate(start, 'start');
    requireDate(end, 'end');
    if (!Number.isFinite(stepSeconds) || stepSeconds <= 0) {
      throw new InputError('a range query needs a positive step');
    }
    if (start.getTime() > end.getTime()) throw new InputError('a range query must not end before it starts');
    const params = { query: expr, start: promTime(start), end: promTime(end), step: String(stepSeconds) };
    const response = await this.call('/api/v1/query_range', params, undefined);
    if (!response.ok) return response;
    const parsed = MatrixDataSchema.safeParse(response.value);
    if (!parsed.success) return { ok: false, error: this.unexpected() };
    return { ok: true, value: parsed.data.result.map(rangeSeries) };
  }

  private async instantQuery(
    expr: string,
    time: Date,
    run: Run | undefined,
  ): Promise<PrometheusResult<InstantQueryValue>> {
    const response = await this.call('/api/v1/query', { query: expr, time: promTime(time) }, run);
    if (!response.ok) return response;
    const parsed = InstantDataSchema.safeParse(response.value);
    if (!parsed.success) return { ok: false, error: this.unexpected() };
    const data = parsed.data;
    switch (data.resultType) {
      case 'vector':
        return {
          ok: true,
          value: {
            resultType: 'vector',
            series: data.result.map((item) => ({ labels: item.metric, sample: item.value })),
          },
        };
      case 'scalar':
        return { ok: true, value: { resultType: 'scalar', sample: data.result } };
      case 'matrix':
        return { ok: true, value: { resultType: 'matrix', series: data.result.map(rangeSeries) } };
      case 'string':
        return {
          ok: false,
          error: { kind: 'unexpected-response', message: 'the query returns a string, not numbers' },
        };
      default:
        return assertNever(data, 'result type');
    }
  }

  private async sloWindows(slo: SloDefinition, windows: ReadonlyArray<number>, run: Run): Promise<SloWindowsResult> {
    const answers = await Promise.all(
      windows.map(async (window) => {
        const total = totalQuery(slo.sli, window);
        const [ratio, events] = await Promise.all([
          this.singleValue(errorRatioQuery(slo.sli, window), 'error-ratio', run),
          total === undefined
            ? Promise.resolve<PrometheusResult<number | undefined>>({ ok: true, value: undefined })
            : this.singleValue(total, 'total', run),
        ]);
        return { window, ratio, events };
      }),
    );
    const sli = new Map<number, WindowSli>();
    for (const { window, ratio, events } of answers) {
      if (!ratio.ok) return sloFailure(slo, window, 'error-ratio', ratio.error);
      if (!events.ok) return sloFailure(slo, window, 'total', events.error);
      const total = finite(events.value);
      sli.set(window, {
        errorRatio: finite(ratio.value),
        // The total query is a rate per second.
        events: total === undefined ? undefined : total * (window / 1000),
      });
    }
    return { ok: true, windows: sli };
  }

  /** The query's one value: undefined for no series, a failure for several. */
  private async singleValue(expr: string, role: SliQueryRole, run: Run): Promise<PrometheusResult<number | undefined>> {
    const result = await this.instantQuery(expr, run.end, run);
    if (!result.ok) return result;
    const value = result.value;
    switch (value.resultType) {
      case 'scalar':
        return { ok: true, value: value.sample.value };
      case 'vector': {
        const [first, ...rest] = value.series;
        if (rest.length > 0) {
          const series = value.series.length;
          return {
            ok: false,
            error: {
              kind: 'several-series',
              series,
              message: `the ${role} query returns ${series} series; aggregate it to one with sum()`,
            },
          };
        }
        return { ok: true, value: first?.sample.value };
      }
      case 'matrix':
        return {
          ok: false,
          error: {
            kind: 'unexpected-response',
            message: `the ${role} query returns a range vector; it must return one value`,
          },
        };
      default:
        return assertNever(value, 'result type');
    }
  }

  /** A POST, so that long queries do not meet URL length limits; the request and its body share one deadline. */
  private call(
    path: string,
    params: Readonly<Record<string, string>>,
    run: Run | undefined,
  ): Promise<PrometheusResult<unknown>> {
    return this.limiter.run(async () => {
      if (run?.abandoned !== undefined) return { ok: false, error: run.abandoned };
      let status: number;
      let statusText: string;
      let body: string;
      try {
        const response = await this.fetchFn(`${this.apiRoot}${path}`, {
          method: 'POST',
          headers: this.headers,
          body: new URLSearchParams(params),
          signal: AbortSignal.timeout(this.timeoutMs),
          redirect: 'manual',
        });
        status = response.status;
        statusText = response.statusText;
        body = await response.text();
      } catch (error: unknown) {
        const failure = this.transportFailure(error);
        // Set before the slot passes to the next query, which then need not be sent.
        if (run !== undefined) run.abandoned ??= failure;
        return { ok: false, error: failure };
      }
      const json = parseJson(body);
      const envelope = ApiResponseSchema.safeParse(json);
      if (status >= 200 && status < 300 && envelope.success && envelope.data.status === 'success') {
        return { ok: true, value: envelope.data.data };
      }
      if (status >= 200 && status < 300 && !envelope.success) return { ok: false, error: this.unexpected() };
      // Only Prometheus's own error text is repeated: a proxy's page could hold anything.
      const apiError = envelope.success && envelope.data.status === 'error' ? envelope.data : undefined;
      const errorType = apiError?.errorType;
      const detail = apiError?.error === undefined ? '' : `: ${truncate(apiError.error)}`;
      const reason = statusText === '' ? '' : ` ${statusText}`;
      return {
        ok: false,
        error: {
          kind: 'http-status',
          status,
          errorType,
          message: `Prometheus at ${this.origin} answered HTTP ${status}${reason}${errorType === undefined ? '' : ` (${errorType})`}${detail}`,
        },
      };
    });
  }

  private transportFailure(error: unknown): PrometheusFailure {
    if (isNamed(error, 'TimeoutError') || isNamed(error, 'AbortError')) {
      return { kind: 'timeout', message: `Prometheus at ${this.origin} did not answer within ${this.timeoutMs} ms` };
    }
    const code = networkCode(error);
    return {
      kind: 'unreachable',
      message: `cannot reach Prometheus at ${this.origin}${code === undefined ? '' : ` (${code})`}`,
    };
  }

  private unexpected(): PrometheusFailure {
    return {
      kind: 'unexpected-response',
      message: `Prometheus at ${this.origin} sent a response that is not a Prometheus query result`,
    };
  }
}

interface Run {
  readonly end: Date;
  abandoned: PrometheusFailure | undefined;
}

/** Hands a freed slot straight to the next waiter, so the count of requests in flight never exceeds the limit. */
class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.active -= 1;
      else next();
    }
  }
}

const PromValueSchema = z.string().transform((text, ctx) => {
  const value = parsePromValue(text);
  if (value !== undefined) return value;
  ctx.addIssue({ code: 'custom', message: 'not a sample value', input: text });
  return z.NEVER;
});

const SampleSchema = z
  .tuple([z.number(), PromValueSchema])
  .transform(([seconds, value]): PromSample => ({ time: new Date(Math.round(seconds * 1000)), value }));

const LabelsSchema = z.record(z.string(), z.string());

const RangeSeriesSchema = z.object({ metric: LabelsSchema, values: z.array(SampleSchema) });

const MatrixDataSchema = z.object({ resultType: z.literal('matrix'), result: z.array(RangeSeriesSchema) });

const InstantDataSchema = z.discriminatedUnion('resultType', [
  z.object({
    resultType: z.literal('vector'),
    result: z.array(z.object({ metric: LabelsSchema, value: SampleSchema })),
  }),
  z.object({ resultType: z.literal('scalar'), result: SampleSchema }),
  MatrixDataSchema,
  z.object({ resultType: z.literal('string'), result: z.tuple([z.number(), z.string()]) }),
]);

const ApiResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('success'), data: z.unknown() }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);

function sloFailure(
  slo: SloDefinition,
  window: number,
  query: SliQueryRole,
  failure: PrometheusFailure,
): SloWindowsResult {
  const message = `SLO ${slo.id}, ${promWindow(window)} window, ${query} query: ${failure.message}`;
  return { ok: false, error: { sloId: slo.id, window, query, failure, message } };
}

function rangeSeries(item: z.output<typeof RangeSeriesSchema>): RangeSeries {
  return { labels: item.metric, samples: item.values };
}

function withWindow(query: string, windowMs: number): string {
  return query.trim().replace(WINDOW_PLACEHOLDER, promWindow(windowMs));
}

/** Days as the largest unit (`28d`), which every Prometheus-compatible back end reads. */
function promWindow(windowMs: number): string {
  return formatDuration(windowMs);
}

function decodeCredentials(url: URL): string | undefined {
  try {
    return `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  } catch {
    return undefined;
  }
}

function promNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function promTime(time: Date): string {
  return (time.getTime() / 1000).toFixed(3);
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function requireDate(value: Date, name: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new InputError(`${name} is not a valid time`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_TEXT ? text : `${text.slice(0, MAX_ERROR_TEXT)}…`;
}
