import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { describe, type TestContext, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { InputError, UnavailableError } from '../../src/errors/index.js';
import type { SliSpec, SloDefinition } from '../../src/slo/types.js';
import { PrometheusSource } from '../../src/telemetry/prometheus-source.js';
import { findFreePort } from '../support/postgres-cluster.js';
import { startPrometheus } from '../support/prometheus-process.js';
import { requireTool } from '../support/prometheus-tools.js';
import { testSlo } from '../support/test-slo.js';

const TEN_SECONDS = 10_000;
const TWENTY_SECONDS = 20_000;
const TEN_MINUTES = 600_000;
/** Scrapes to wait for: enough that a 20s window is full. */
const SCRAPES_WANTED = 23;

function slo(name: string, sli: SliSpec): SloDefinition {
  return testSlo({
    id: `demo-${name}`,
    service: 'demo',
    name,
    objectivePercent: 99,
    period: { kind: 'rolling', duration: 28 * 86_400_000, text: '28d' },
    sli,
    source: { format: 'sloth', file: 'slos.yaml', line: 1, spec: 'prometheus/v1' },
  });
}

const ERRORS = 'sum(rate(demo_requests_total{code="500"}[{{.window}}]))';
const GOOD = 'sum(rate(demo_requests_total{code="200"}[{{.window}}]))';
const TOTAL = 'sum(rate(demo_requests_total[{{.window}}]))';

async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

function hostOf(server: Server): string {
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return `127.0.0.1:${address.port}`;
}

async function close(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Prometheus keeps its scrape connection open; close() alone would wait for it.
  server.closeAllConnections();
  await closed;
}

/** Nine good requests and one failed request per scrape, counted from zero at the first scrape. */
async function startDemoMetrics(t: TestContext): Promise<Server> {
  let scrapes = 0;
  const server = await listen((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    const body = [
      '# HELP demo_requests_total Requests the demo served.',
      '# TYPE demo_requests_total counter',
      `demo_requests_total{code="200"} ${9 * scrapes}`,
      `demo_requests_total{code="500"} ${scrapes}`,
      '',
    ].join('\n');
    scrapes += 1;
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  t.after(() => close(server));
  return server;
}

async function waitForScrapes(source: PrometheusSource, wanted: number): Promise<void> {
  const deadline = Date.now() + 400_000;
  while (Date.now() < deadline) {
    const result = await source.query('count_over_time(demo_requests_total{code="500"}[1m])', new Date());
    if (result.ok && result.value.resultType === 'vector' && (result.value.series[0]?.sample.value ?? 0) >= wanted) {
      return;
    }
    await delay(500);
  }
  assert.fail(`Prometheus did not collect ${wanted} scrapes in time`);
}

async function rejection(promise: Promise<unknown>): Promise<UnavailableError> {
  try {
    await promise;
  } catch (error: unknown) {
    assert.ok(error instanceof UnavailableError, `expected an UnavailableError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected a rejection');
}

function approximately(actual: number | undefined, expected: number, tolerance: number, what: string): void {
  assert.ok(actual !== undefined, `${what} is undefined`);
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);
}

test('PrometheusSource against a real Prometheus', async (t) => {
  const binary = requireTool(t, 'prometheus');
  if (binary === undefined) return;
  const metrics = await startDemoMetrics(t);
  const prometheus = await startPrometheus({ scrapeTargets: [hostOf(metrics)], scrapeIntervalSeconds: 1, binary });
  t.after(() => prometheus.stop());
  const source = PrometheusSource.create({ baseUrl: prometheus.url, timeoutMs: 60_000 });
  await waitForScrapes(source, SCRAPES_WANTED);

  await t.test('reports the error ratio and the events of an errors SLI over each window', async () => {
    const availability = slo('availability', { kind: 'errors', errorQuery: ERRORS, totalQuery: TOTAL });
    const answers = await source.windows([{ slo: availability, windows: [TEN_SECONDS, TWENTY_SECONDS] }], new Date());
    const windows = answers.get('demo-availability');
    assert.ok(windows !== undefined);
    assert.deepEqual([...windows.keys()], [TEN_SECONDS, TWENTY_SECONDS]);
    // Both counters share scrape timestamps and grow in proportion, so rate extrapolation cancels out.
    approximately(windows.get(TEN_SECONDS)?.errorRatio, 0.1, 1e-9, '10s error ratio');
    approximately(windows.get(TWENTY_SECONDS)?.errorRatio, 0.1, 1e-9, '20s error ratio');
    // Ten requests a scrape, a scrape a second.
    approximately(windows.get(TEN_SECONDS)?.events, 100, 15, '10s events');
    approximately(windows.get(TWENTY_SECONDS)?.events, 200, 30, '20s events');
  });

  await t.test('reads good, error-ratio and success-ratio SLIs as error ratios', async () => {
    const good = slo('good', { kind: 'good', goodQuery: GOOD, totalQuery: TOTAL });
    const errorRatio = slo('error-ratio', { kind: 'error-ratio', errorRatioQuery: `${ERRORS}\n/\n${TOTAL}` });
    const successRatio = slo('success-ratio', { kind: 'success-ratio', successRatioQuery: `${GOOD} / ${TOTAL}` });
    const answers = await source.windows(
      [good, errorRatio, successRatio].map((definition) => ({ slo: definition, windows: [TWENTY_SECONDS] })),
      new Date(),
    );
    for (const id of ['demo-good', 'demo-error-ratio', 'demo-success-ratio']) {
      approximately(answers.get(id)?.get(TWENTY_SECONDS)?.errorRatio, 0.1, 1e-9, `${id} error ratio`);
    }
    approximately(answers.get('demo-good')?.get(TWENTY_SECONDS)?.events, 200, 30, 'good/total events');
    assert.equal(answers.get('demo-error-ratio')?.get(TWENTY_SECONDS)?.events, undefined);
    assert.equal(answers.get('demo-success-ratio')?.get(TWENTY_SECONDS)?.events, undefined);
  });

  await t.test('counts the minutes a threshold SLI broke its threshold', async () => {
    const met = slo('met', { kind: 'threshold', query: 'vector(5)', op: 'lt', value: 10 });
    const broken = slo('broken', { kind: 'threshold', query: 'vector(5)', op: 'gte', value: 10 });
    const answers = await source.windows(
      [met, broken].map((definition) => ({ slo: definition, windows: [TEN_MINUTES] })),
      new Date(),
    );
    assert.deepEqual(answers.get('demo-met')?.get(TEN_MINUTES), { errorRatio: 0, events: undefined });
    assert.deepEqual(answers.get('demo-broken')?.get(TEN_MINUTES), { errorRatio: 1, events: undefined });
  });

  await t.test('gives an undefined error ratio for an SLO without data', async () => {
    const silent = slo('silent', {
      kind: 'errors',
      errorQuery: 'sum(rate(absent_requests_total{code="500"}[{{.window}}]))',
      totalQuery: 'sum(rate(absent_requests_total[{{.window}}]))',
    });
    const notANumber = slo('not-a-number', { kind: 'error-ratio', errorRatioQuery: 'vector(0) / vector(0)' });
    const answers = await source.windows(
      [silent, notANumber].map((definition) => ({ slo: definition, windows: [TEN_SECONDS, TWENTY_SECONDS] })),
      new Date(),
    );
    const nothing = { errorRatio: undefined, events: undefined };
    for (const id of ['demo-silent', 'demo-not-a-number']) {
      assert.deepEqual(answers.get(id)?.get(TEN_SECONDS), nothing, id);
      assert.deepEqual(answers.get(id)?.get(TWENTY_SECONDS), nothing, id);
    }
  });

  await t.test('names the SLO and the series count when a query is not aggregated', async () => {
    const unsummed = slo('unsummed', {
      kind: 'errors',
      errorQuery: 'rate(demo_requests_total{code="500"}[{{.window}}])',
      totalQuery: 'rate(demo_requests_total[{{.window}}])',
    });
    const availability = slo('availability', { kind: 'errors', errorQuery: ERRORS, totalQuery: TOTAL });
    const requests = [unsummed, availability].map((definition) => ({ slo: definition, windows: [TEN_SECONDS] }));

    const error = await rejection(source.windows(requests, new Date()));
    assert.match(error.message, /SLO demo-unsummed, 10s window, total query: the total query returns 2 series/);
    assert.match(error.message, /aggregate it to one with sum\(\)/);
    assert.equal(error.code, 'SRE_UNAVAILABLE');
    assert.deepEqual(
      error.details.map((detail) => detail.path),
      ['demo-unsummed'],
    );

    const results = await source.evaluateWindows(requests, new Date());
    const failed = results.get('demo-unsummed');
    assert.ok(failed !== undefined && !failed.ok);
    assert.deepEqual(failed.error.failure, {
      kind: 'several-series',
      series: 2,
      message: 'the total query returns 2 series; aggregate it to one with sum()',
    });
    assert.equal(results.get('demo-availability')?.ok, true);

    // With onSloError the broken SLO is reported and answered with no data; the others are still evaluated.
    const reported: string[] = [];
    const tolerant = PrometheusSource.create({
      baseUrl: prometheus.url,
      timeoutMs: 60_000,
      onSloError: (failure) => reported.push(failure.sloId),
    });
    const answers = await tolerant.windows(requests, new Date());
    assert.deepEqual(reported, ['demo-unsummed']);
    assert.equal(answers.get('demo-unsummed')?.size, 0);
    assert.ok(answers.get('demo-availability')?.get(TEN_SECONDS)?.errorRatio !== undefined);
  });

  await t.test('names the SLO and the HTTP status when Prometheus rejects a query', async () => {
    const broken = slo('broken-query', { kind: 'error-ratio', errorRatioQuery: 'sum(rate(demo_requests_total[' });
    const error = await rejection(source.windows([{ slo: broken, windows: [TEN_SECONDS] }], new Date()));
    assert.match(error.message, /SLO demo-broken-query, 10s window, error-ratio query: /);
    assert.match(error.message, /answered HTTP 400 Bad Request \(bad_data\): .*parse error/);
  });

  await t.test('query and queryRange give numbers, NaN and infinities included', async () => {
    const now = new Date();
    const infinite = await source.query('vector(1) / vector(0)', now);
    assert.ok(infinite.ok && infinite.value.resultType === 'vector');
    assert.equal(infinite.value.series[0]?.sample.value, Number.POSITIVE_INFINITY);
    assert.equal(infinite.value.series[0]?.sample.time.getTime(), now.getTime());

    const negative = await source.query('-1 / 0', now);
    assert.ok(negative.ok && negative.value.resultType === 'scalar');
    assert.equal(negative.value.sample.value, Number.NEGATIVE_INFINITY);

    const notANumber = await source.query('0 / 0', now);
    assert.ok(notANumber.ok && notANumber.value.resultType === 'scalar');
    assert.ok(Number.isNaN(notANumber.value.sample.value));

    const range = await source.queryRange('demo_requests_total{code="500"}', new Date(now.getTime() - 10_000), now, 1);
    assert.ok(range.ok);
    const [series] = range.value;
    assert.equal(range.value.length, 1);
    assert.ok(series !== undefined);
    assert.equal(series.labels.code, '500');
    assert.equal(series.samples.length, 11);
    const values = series.samples.map((sample) => sample.value);
    assert.deepEqual(
      values,
      [...values].sort((a, b) => a - b),
      'a counter never falls',
    );
    assert.ok((values.at(-1) ?? 0) > (values[0] ?? 0));
  });
});

describe('PrometheusSource failures', () => {
  const availability = slo('availability', { kind: 'errors', errorQuery: ERRORS, totalQuery: TOTAL });
  const requests = [{ slo: availability, windows: [TEN_SECONDS, TWENTY_SECONDS] }];

  test('names the SLO when Prometheus is unreachable, without the credentials', async () => {
    const port = await findFreePort();
    const source = PrometheusSource.create({ baseUrl: `http://reader:s3cret@127.0.0.1:${port}`, timeoutMs: 5_000 });
    const error = await rejection(source.windows(requests, new Date()));
    assert.match(error.message, /^Prometheus could not give the SLIs of one SLO: SLO demo-availability, 10s window/);
    assert.match(
      error.message,
      new RegExp(`cannot reach Prometheus at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
    );
    assert.doesNotMatch(error.message, /s3cret|reader/);
    assert.equal(error.cause, undefined);
  });

  test('names the status a gateway answered, sends basic auth and repeats none of its page', async (t) => {
    const authorisations: Array<string | undefined> = [];
    const gateway = await listen((request, response) => {
      authorisations.push(request.headers.authorization);
      response.writeHead(503, { 'content-type': 'text/html' }).end('<h1>upstream secret-host.internal down</h1>');
    });
    t.after(() => close(gateway));
    const source = PrometheusSource.create({ baseUrl: `http://reader:s3cret@${hostOf(gateway)}/prometheus/` });
    const error = await rejection(source.windows(requests, new Date()));
    assert.match(error.message, /SLO demo-availability, 10s window, .*answered HTTP 503 Service Unavailable/);
    assert.doesNotMatch(error.message, /secret-host|s3cret/);
    assert.ok(authorisations.length > 0);
    for (const authorisation of authorisations) {
      assert.equal(authorisation, `Basic ${Buffer.from('reader:s3cret').toString('base64')}`);
    }
  });

  test('gives up on a request after the timeout, and on the queries still waiting', async (t) => {
    let received = 0;
    const silent = await listen(() => {
      received += 1;
    });
    t.after(() => close(silent));
    const source = PrometheusSource.create({
      baseUrl: `http://${hostOf(silent)}`,
      timeoutMs: 300,
      maxConcurrentRequests: 1,
    });
    const started = Date.now();
    const error = await rejection(source.windows(requests, new Date()));
    assert.match(error.message, /did not answer within 300 ms/);
    assert.equal(received, 1, 'the queries behind the first one are not sent');
    assert.ok(Date.now() - started < 15_000);
  });

  test('keeps at most the configured number of requests in flight', async (t) => {
    let inFlight = 0;
    let most = 0;
    const slow = await listen((request, response) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      request.resume();
      setTimeout(() => {
        inFlight -= 1;
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [0, '0.5'] } }));
      }, 30);
    });
    t.after(() => close(slow));
    const source = PrometheusSource.create({ baseUrl: `http://${hostOf(slow)}`, maxConcurrentRequests: 3 });
    const many = Array.from({ length: 10 }, (_, index) => ({
      slo: slo(`slo-${index}`, { kind: 'errors', errorQuery: ERRORS, totalQuery: TOTAL }),
      windows: [TEN_SECONDS, TWENTY_SECONDS],
    }));
    const answers = await source.windows(many, new Date());
    assert.equal(answers.size, 10);
    assert.deepEqual(answers.get('demo-slo-3')?.get(TEN_SECONDS), { errorRatio: 0.5, events: 5 });
    assert.equal(most, 3);
  });

  test('lists every problem with the options and does not repeat the URL', () => {
    assert.throws(
      () => PrometheusSource.create({ baseUrl: 'ftp://reader:s3cret@host', timeoutMs: 0, maxConcurrentRequests: 1.5 }),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.deepEqual(
          error.details.map((detail) => detail.path),
          ['timeoutMs', 'maxConcurrentRequests', 'baseUrl'],
        );
        assert.doesNotMatch(JSON.stringify(error.details) + error.message, /s3cret/);
        return true;
      },
    );
  });
});
