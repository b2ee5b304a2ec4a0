import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, type TestContext, test } from 'node:test';
import fc from 'fast-check';
import { formatProblem, parseCatalogue } from '../../src/catalogue/parse-catalogue.js';
import type { CatalogueResult } from '../../src/catalogue/types.js';
import { FixedClock, SystemClock } from '../../src/clock/index.js';
import type { SliSpec, SloDefinition } from '../../src/slo/types.js';
import { EmbeddedSliStore } from '../../src/telemetry/embedded-sli-store.js';
import {
  escapeLabelValue,
  matchesSelector,
  parsePrometheusText,
  parseSelector,
  type TextSample,
} from '../../src/telemetry/prometheus-text.js';
import { MAX_SCRAPE_BYTES, type ScrapeFailure, SliScraper } from '../../src/telemetry/scraper.js';
import type { WindowSli } from '../../src/telemetry/telemetry-source.js';
import { testSlo } from '../support/test-slo.js';
import { openTestStore } from '../support/test-store.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const NOW = new Date('2026-03-02T10:00:05.000Z');

// ---- Prometheus text format ----

/** A sample as an exposition line, blanks and a trailing comma chosen by the caller. */
function renderSample(sample: TextSample, layout: { readonly blank: string; readonly trailingComma: boolean }): string {
  const labels = Object.entries(sample.labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  // Braces with nothing in them are allowed; a lone comma is not.
  const comma = layout.trailingComma && labels.length > 0 ? ',' : '';
  const braces = labels.length === 0 && !layout.trailingComma ? '' : `{${labels.join(',')}${comma}}`;
  const stamp = sample.timestampMs === undefined ? '' : `${layout.blank}${sample.timestampMs}`;
  return `${sample.name}${braces}${layout.blank}${renderValue(sample.value)}${stamp}`;
}

function renderValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return Object.is(value, -0) ? '-0' : String(value);
}

const metricName = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
const labelName = fc.oneof(
  fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/).filter((name) => name !== '__name__'),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'le'),
);
/** Label values heavy in the characters the format escapes or uses as syntax. */
const labelValue = fc.oneof(
  fc.string({ unit: fc.constantFrom('\\', '"', '\n', 'n', '{', '}', ',', '=', ' ', '\t', '#', 'é', '😀', 'a') }),
  fc.string({ unit: 'binary' }),
);
const sampleArbitrary: fc.Arbitrary<TextSample> = fc
  .record({
    name: metricName,
    labels: fc
      .uniqueArray(fc.tuple(labelName, labelValue), { selector: ([name]) => name, maxLength: 5 })
      .map((entries) => Object.fromEntries(entries)),
    value: fc.double(),
    timestampMs: fc.option(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constant(-1_700_000_000_000)), {
      nil: undefined,
    }),
    type: fc.constant('untyped' as const),
  })
  // fc.record builds objects without a prototype; parsed samples have Object's.
  .map((sample) => ({ ...sample }));

describe('parsePrometheusText', () => {
  test('reads back any samples rendered to the text format', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            sample: sampleArbitrary,
            blank: fc.constantFrom(' ', '\t', '  \t '),
            trailingComma: fc.boolean(),
            before: fc.constantFrom('', '\n', '# a comment\n', '  \t\n'),
          }),
          { maxLength: 20 },
        ),
        (lines) => {
          const text = lines.map((line) => `${line.before}${renderSample(line.sample, line)}\n`).join('');
          const parsed = parsePrometheusText(text);
          assert.ok(parsed.ok, parsed.ok ? '' : `line ${parsed.error.line}: ${parsed.error.message}\n${text}`);
          assert.deepEqual(
            parsed.samples,
            lines.map((line) => line.sample),
          );
        },
      ),
    );
  });

  test('escapes round-trip in label values', () => {
    fc.assert(
      fc.property(labelValue, (value) => {
        const parsed = parsePrometheusText(`m{l="${escapeLabelValue(value)}"} 1\n`);
        assert.ok(parsed.ok);
        assert.equal(parsed.samples[0]?.labels.l, value);
        assert.ok(!escapeLabelValue(value).includes('\n'), 'an escaped value stays on one line');
      }),
    );
  });

  test('reads HELP, TYPE, comments, spacing, CRLF and the spellings of NaN and infinity', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests; a backslash \\\\ and a newline \\n.',
      '# TYPE http_requests_total counter',
      '#   just a comment, with {braces} and "quotes"',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      '  http_requests_total { method = "post" , code = "400" , }   3   1395066363000  ',
      '',
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.5"} 4773',
      'rpc_duration_seconds_sum 1.7560473e+07',
      'rpc_duration_seconds_count 2693\r',
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'metric_without_timestamp_and_labels 12.47',
      'odd{a="b"}-Inf',
      'spellings{s="1"} +inf',
      'spellings{s="2"} Infinity',
      'spellings{s="3"} nan',
      'spellings{s="4"} .5e-3',
      '# EOF',
    ].join('\n');
    const parsed = parsePrometheusText(text);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
    const summary = parsed.samples.map((sample) => [sample.name, sample.type, sample.value, sample.timestampMs]);
    assert.deepEqual(summary, [
      ['http_requests_total', 'counter', 1027, 1395066363000],
      ['http_requests_total', 'counter', 3, 1395066363000],
      ['rpc_duration_seconds', 'summary', 4773, undefined],
      ['rpc_duration_seconds_sum', 'summary', 1.7560473e7, undefined],
      ['rpc_duration_seconds_count', 'summary', 2693, undefined],
      ['http_request_duration_seconds_bucket', 'histogram', 144320, undefined],
      ['metric_without_timestamp_and_labels', 'untyped', 12.47, undefined],
      ['odd', 'untyped', Number.NEGATIVE_INFINITY, undefined],
      ['spellings', 'untyped', Number.POSITIVE_INFINITY, undefined],
      ['spellings', 'untyped', Number.POSITIVE_INFINITY, undefined],
      ['spellings', 'untyped', Number.NaN, undefined],
      ['spellings', 'untyped', 0.0005, undefined],
    ]);
    assert.deepEqual(parsed.samples[1]?.labels, { method: 'post', code: '400' });
  });

  const malformed: ReadonlyArray<readonly [string, string, number, string]> = [
    [
      'an unclosed label set',
      'ok 1\nfoo{a="b" 1\n',
      2,
      'expected "," or "}" after a label value; found "1" at column 11',
    ],
    ['a label value without its closing quote', 'foo{a="b} 1\n', 1, 'the value of the label a has no closing quote'],
    ['an unknown escape', 'foo{a="\\x"} 1\n', 1, 'has an escape other than'],
    ['a value that is not a number', 'foo abc\n', 1, '"abc" is not a sample value'],
    ['a sample without a value', '\n\nfoo\n', 3, 'a sample needs a value'],
    ['text after the timestamp', 'foo 1 2 3\n', 1, 'unexpected text after the sample'],
    ['a fractional timestamp', 'foo 1 1.5\n', 1, '"1.5" is not a timestamp'],
    ['a timestamp beyond safe integers', 'foo 1 99999999999999999999\n', 1, 'is not a timestamp'],
    ['a line starting with a digit', '1foo 1\n', 1, 'a sample line starts with a metric name'],
    ['a reserved label', 'foo{__name__="x"} 1\n', 1, 'the label name __name__ is reserved'],
    ['a label given twice', 'foo{a="1",a="2"} 1\n', 1, 'the label a appears twice'],
    ['an unknown type', '# TYPE foo blah\n', 1, '"blah" is not a metric type'],
    ['a second TYPE', '# TYPE foo counter\n# TYPE foo gauge\n', 2, 'a second TYPE line for foo'],
    ['a TYPE after samples', 'foo 1\n# TYPE foo counter\n', 2, 'the TYPE line for foo comes after its samples'],
    ['a second HELP', '# HELP foo a\n# HELP foo b\n', 2, 'a second HELP line for foo'],
    ['a bad HELP escape', '# HELP foo a \\t b\n', 1, 'HELP text has an escape other than'],
  ];
  for (const [name, text, line, message] of malformed) {
    test(`refuses ${name}, naming the line`, () => {
      const parsed = parsePrometheusText(text);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.equal(parsed.error.line, line);
      assert.ok(parsed.error.message.includes(message), parsed.error.message);
    });
  }
});

describe('parseSelector', () => {
  const sample = (labels: Record<string, string>): TextSample => ({
    name: 'http_requests_total',
    labels,
    value: 1,
    timestampMs: undefined,
    type: 'counter',
  });

  test('matches as Prometheus does: anchored patterns, an absent label is empty', () => {
    const cases: ReadonlyArray<readonly [string, Record<string, string>, boolean]> = [
      ['http_requests_total', { code: '200' }, true],
      ['other_total', {}, false],
      ['http_requests_total{code="200"}', { code: '200' }, true],
      ['http_requests_total{code="200"}', { code: '2000' }, false],
      ['http_requests_total{code=~"5.."}', { code: '503' }, true],
      ['http_requests_total{code=~"5.."}', { code: '5034' }, false],
      ['http_requests_total{code!~"5.."}', { code: '200' }, true],
      ['http_requests_total{code!="200"}', {}, true],
      ['http_requests_total{code=""}', {}, true],
      ['http_requests_total{code=""}', { code: '200' }, false],
      ["http_requests_total { job = 'shop' , code =~ `2\\d\\d` , }", { job: 'shop', code: '204' }, true],
      ['http_requests_total{__name__=~"http_.*"}', {}, true],
      ['http_requests_total{constructor=""}', {}, true],
      ['http_requests_total{path=~".*"}', { path: 'a\nb' }, true],
    ];
    for (const [text, labels, expected] of cases) {
      const parsed = parseSelector(text);
      assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.message}`);
      assert.equal(matchesSelector(parsed.selector, sample(labels)), expected, `${text} on ${JSON.stringify(labels)}`);
    }
  });

  test('reads back any label value written as a PromQL string', () => {
    fc.assert(
      fc.property(labelValue, (value) => {
        const written = value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));
        const parsed = parseSelector(`m{l="${written}"}`);
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
        assert.equal(parsed.selector.matchers[0]?.value, value);
      }),
    );
  });

  test('refuses PromQL and malformed selectors with a reason', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['sum(rate(http_requests_total[5m]))', 'unexpected text after the selector'],
      ['http_requests_total[5m]', 'unexpected text after the selector'],
      ['{job="shop"}', 'a selector starts with a metric name'],
      ['x{job}', 'expected "=", "!=", "=~" or "!~" after the label name job'],
      ['x{job="shop"', 'expected "," or "}" after a matcher'],
      ['x{job=shop}', 'expected a quoted label value'],
      ['x{code=~"("}', 'is not a regular expression'],
      ['x{a="\\q"}', 'unknown escape sequence'],
      ['', 'a selector starts with a metric name'],
    ];
    for (const [text, message] of cases) {
      const parsed = parseSelector(text);
      assert.equal(parsed.ok, false, text);
      if (!parsed.ok) assert.ok(parsed.message.includes(message), `${text}: ${parsed.message}`);
    }
  });
});

// ---- The scraper ----

interface MetricsTarget {
  readonly url: string;
  body: string;
  status: number;
  /** When set, answers instead of the default handler. */
  respond: ((response: ServerResponse) => void) | undefined;
  readonly requests: IncomingHttpHeaders[];
}

async function serveMetrics(t: TestContext): Promise<MetricsTarget> {
  const server = createServer((request, response) => {
    target.requests.push(request.headers);
    if (target.respond !== undefined) {
      target.respond(response);
      return;
    }
    response.writeHead(target.status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    response.end(target.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const target: MetricsTarget = {
    url: `http://127.0.0.1:${port}/metrics`,
    body: '',
    status: 200,
    respond: undefined,
    requests: [],
  };
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return target;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function scrapedSlo(id: string, url: string, sli: SliSpec, intervalMs = 15 * SECOND): SloDefinition {
  return testSlo({
    id,
    service: 'web-shop',
    name: id,
    objectivePercent: 99.9,
    period: { kind: 'rolling', duration: 28 * 24 * HOUR, text: '28d' },
    sli,
    metricSource: 'PrometheusText',
    scrape: { url, intervalMs },
    source: { format: 'openslo', file: 'slos.yaml', line: 1, spec: 'openslo/v1' },
  });
}

const SHOP_ERRORS: SliSpec = {
  kind: 'errors',
  errorQuery: 'http_requests_total{job="shop",code=~"5.."}',
  totalQuery: 'http_requests_total{job="shop"}',
};

function requests(ok: number, failed: number, other = 0): string {
  return [
    '# HELP http_requests_total Requests served.',
    '# TYPE http_requests_total counter',
    `http_requests_total{job="shop",code="200"} ${ok}`,
    `http_requests_total{job="shop",code="503"} ${failed}`,
    `http_requests_total{job="other",code="500"} ${other}`,
    '# TYPE process_open_fds gauge',
    'process_open_fds 12',
    '',
  ].join('\n');
}

async function fixture(t: TestContext) {
  const testStore = await openTestStore('sqlite');
  t.after(testStore.cleanup);
  const clock = FixedClock.at(NOW);
  const store = EmbeddedSliStore.create(testStore.store.db, clock);
  const failures: ScrapeFailure[] = [];
  const scraper = SliScraper.create({
    store,
    clock,
    onError: (failure) => failures.push(failure),
    timeoutMs: 60_000,
  });
  t.after(() => scraper.stop());
  return { store, clock, scraper, failures };
}

async function hourOf(store: EmbeddedSliStore, slo: SloDefinition, end: Date): Promise<WindowSli | undefined> {
  return (await store.windows([{ slo, windows: [HOUR] }], end)).get(slo.id)?.get(HOUR);
}

describe('SliScraper', () => {
  test('ingests what the selected counters grew by since the scrape before', async (t) => {
    const { store, clock, scraper, failures } = await fixture(t);
    const target = await serveMetrics(t);
    const slo = scrapedSlo('web-shop-checkout', target.url, SHOP_ERRORS);

    target.body = requests(100, 2, 40);
    assert.deepEqual(await scraper.scrapeOnce([slo]), [{ sloId: slo.id, status: 'baseline' }]);

    target.body = requests(150, 5, 90);
    clock.advance(15 * SECOND);
    const second = await scraper.scrapeOnce([slo]);
    assert.deepEqual(second, [
      { sloId: slo.id, status: 'ingested', point: { time: clock.now(), good: 50, total: 53 } },
    ]);

    clock.advance(15 * SECOND);
    assert.deepEqual(await scraper.scrapeOnce([slo]), [{ sloId: slo.id, status: 'idle' }]);

    target.body = requests(160, 5, 95);
    clock.advance(MINUTE);
    await scraper.scrapeOnce([slo]);

    assert.deepEqual(failures, []);
    assert.deepEqual(await hourOf(store, slo, new Date(NOW.getTime() + 10 * MINUTE)), {
      errorRatio: 3 / 63,
      events: 63,
    });
    assert.equal(target.requests.length, 4);
    assert.equal(target.requests[0]?.accept, 'text/plain;version=0.0.4');
  });

  test('takes a counter that went down as reset, counting its new value as the increase', async (t) => {
    const { clock, scraper } = await fixture(t);
    const target = await serveMetrics(t);
    const slo = scrapedSlo('web-shop-checkout', target.url, SHOP_ERRORS);
    target.body = requests(1_000, 20);
    await scraper.scrapeOnce([slo]);

    // The 200s restarted from zero while the 503s kept growing: the sum rose, but one series reset.
    target.body = requests(7, 23);
    clock.advance(15 * SECOND);
    assert.deepEqual(await scraper.scrapeOnce([slo]), [
      { sloId: slo.id, status: 'ingested', point: { time: clock.now(), good: 7, total: 10 } },
    ]);

    target.body = requests(17, 1);
    clock.advance(15 * SECOND);
    assert.deepEqual(await scraper.scrapeOnce([slo]), [
      { sloId: slo.id, status: 'ingested', point: { time: clock.now(), good: 10, total: 11 } },
    ]);
  });

  test('counts good events from histogram buckets, carrying fractions of an event to the next scrape', async (t) => {
    const { clock, scraper } = await fixture(t);
    const target = await serveMetrics(t);
    const latency = scrapedSlo('web-shop-latency', target.url, {
      kind: 'good',
      goodQuery: 'http_request_duration_seconds_bucket{le="0.3"}',
      totalQuery: 'http_request_duration_seconds_count',
    });
    const weighted = scrapedSlo('web-shop-weighted', target.url, {
      kind: 'good',
      goodQuery: 'weighted_good_total',
      totalQuery: 'weighted_total',
    });
    const body = (fast: number, all: number, weight: number) =>
      [
        '# TYPE http_request_duration_seconds histogram',
        `http_request_duration_seconds_bucket{le="0.1"} ${fast / 2}`,
        `http_request_duration_seconds_bucket{le="0.3"} ${fast}`,
        `http_request_duration_seconds_bucket{le="+Inf"} ${all}`,
        `http_request_duration_seconds_sum ${all * 0.2}`,
        `http_request_duration_seconds_count ${all}`,
        `weighted_good_total ${weight}`,
        `weighted_total ${weight}`,
      ].join('\n');

    target.body = body(90, 100, 0);
    await scraper.scrapeOnce([latency, weighted]);
    const points: Array<readonly [string, number, number]> = [];
    for (const step of [1, 2, 3, 4]) {
      target.body = body(90 + step * 8, 100 + step * 10, step * 0.4);
      clock.advance(15 * SECOND);
      for (const outcome of await scraper.scrapeOnce([latency, weighted])) {
        if (outcome.status === 'ingested') points.push([outcome.sloId, outcome.point.good, outcome.point.total]);
      }
    }
    assert.deepEqual(points, [
      ['web-shop-latency', 8, 10],
      ['web-shop-latency', 8, 10],
      ['web-shop-weighted', 1, 1],
      ['web-shop-latency', 8, 10],
      ['web-shop-latency', 8, 10],
      ['web-shop-weighted', 1, 1],
    ]);
    // The target was asked once per round, however many SLOs read it.
    assert.equal(target.requests.length, 5);
  });

  test('reports an unreachable target without its credentials, and the other SLOs go on', async (t) => {
    const { clock, scraper, failures } = await fixture(t);
    const target = await serveMetrics(t);
    target.body = requests(10, 1);
    const port = await closedPort();
    const down = scrapedSlo('web-shop-down', `http://scraper:s3cret@127.0.0.1:${port}/metrics?token=hush`, SHOP_ERRORS);
    const up = scrapedSlo('web-shop-up', target.url, SHOP_ERRORS);

    const first = await scraper.scrapeOnce([down, up]);
    assert.deepEqual(
      first.map((outcome) => [outcome.sloId, outcome.status]),
      [
        ['web-shop-down', 'failed'],
        ['web-shop-up', 'baseline'],
      ],
    );
    assert.equal(failures.length, 1);
    const [failure] = failures;
    assert.equal(failure?.kind, 'unreachable');
    assert.equal(failure?.sloId, 'web-shop-down');
    assert.equal(failure?.target, `http://127.0.0.1:${port}/metrics?…`);
    assert.match(
      failure?.message ?? '',
      /^SLO web-shop-down: scraping http:\/\/127\.0\.0\.1:\d+\/metrics\?… failed: cannot reach the target/,
    );
    assert.ok(!JSON.stringify(failure).includes('s3cret') && !JSON.stringify(failure).includes('hush'));

    target.body = requests(20, 1);
    clock.advance(15 * SECOND);
    const second = await scraper.scrapeOnce([down, up]);
    assert.deepEqual(second[1], {
      sloId: 'web-shop-up',
      status: 'ingested',
      point: { time: clock.now(), good: 10, total: 10 },
    });
  });

  test('sends credentials in the URL as basic auth', async (t) => {
    const { scraper, failures } = await fixture(t);
    const target = await serveMetrics(t);
    target.body = requests(1, 0);
    const url = target.url.replace('http://', 'http://scraper:p%40ss@');
    await scraper.scrapeOnce([scrapedSlo('web-shop-auth', url, SHOP_ERRORS)]);
    assert.deepEqual(failures, []);
    assert.equal(target.requests[0]?.authorization, `Basic ${Buffer.from('scraper:p@ss').toString('base64')}`);
  });

  test('reports a malformed payload with its line, and counts from the last good scrape once it is fixed', async (t) => {
    const { store, clock, scraper, failures } = await fixture(t);
    const target = await serveMetrics(t);
    const slo = scrapedSlo('web-shop-checkout', target.url, SHOP_ERRORS);
    target.body = requests(100, 0);
    await scraper.scrapeOnce([slo]);

    target.body = `${requests(110, 1)}http_requests_total{job="shop" 3\n`;
    clock.advance(15 * SECOND);
    const [outcome] = await scraper.scrapeOnce([slo]);
    assert.equal(outcome?.status, 'failed');
    assert.equal(failures[0]?.kind, 'malformed');
    assert.match(failures[0]?.message ?? '', /failed: not the Prometheus text format: line 8: expected "," or "}"/);

    target.body = requests(130, 2);
    clock.advance(15 * SECOND);
    assert.deepEqual(await scraper.scrapeOnce([slo]), [
      { sloId: slo.id, status: 'ingested', point: { time: clock.now(), good: 30, total: 32 } },
    ]);
    assert.equal((await hourOf(store, slo, new Date(NOW.getTime() + 10 * MINUTE)))?.events, 32);
  });

  test('fails on an HTTP error, a gauge, a payload over the size limit and a slow target', async (t) => {
    const { store, clock, scraper, failures } = await fixture(t);
    const target = await serveMetrics(t);
    const slo = scrapedSlo('web-shop-checkout', target.url, SHOP_ERRORS);
    const gauge = scrapedSlo('web-shop-gauge', target.url, { ...SHOP_ERRORS, totalQuery: 'process_open_fds' });

    target.status = 503;
    await scraper.scrapeOnce([slo]);
    target.status = 200;
    target.body = requests(1, 0);
    await scraper.scrapeOnce([gauge]);
    target.respond = (response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const line = `${'x'.repeat(1023)}\n`;
      for (let written = 0; written <= MAX_SCRAPE_BYTES; written += 64 * 1024) response.write(line.repeat(64));
      response.end();
    };
    await scraper.scrapeOnce([slo]);
    target.respond = () => undefined;
    const impatient = SliScraper.create({ store, clock, onError: (failure) => failures.push(failure), timeoutMs: 200 });
    t.after(() => impatient.stop());
    await impatient.scrapeOnce([slo]);

    assert.deepEqual(
      failures.map((failure) => [failure.sloId, failure.kind, failure.message.replace(/^.* failed: /, '')]),
      [
        ['web-shop-checkout', 'http-status', 'the target answered HTTP 503 Service Unavailable'],
        ['web-shop-gauge', 'not-a-counter', 'process_open_fds{} is a gauge, not a counter'],
        ['web-shop-checkout', 'too-large', 'the body is larger than 10 MB'],
        ['web-shop-checkout', 'timeout', 'the target did not answer within 200 ms'],
      ],
    );
  });

  test('scrapes on its own once started, and stops', async (t) => {
    const testStore = await openTestStore('sqlite');
    t.after(testStore.cleanup);
    const clock = SystemClock.create();
    const store = EmbeddedSliStore.create(testStore.store.db, clock);
    const target = await serveMetrics(t);
    const failures: ScrapeFailure[] = [];
    const scraper = SliScraper.create({ store, clock, onError: (f) => failures.push(f), tickMs: 10 });
    t.after(() => scraper.stop());
    const slo = scrapedSlo('web-shop-checkout', target.url, SHOP_ERRORS, 100);
    let served = 0;
    target.respond = (response) => {
      served += 10;
      response.end(requests(served, 1));
    };
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const counted = async () => (await hourOf(store, slo, new Date(Date.now() + 2 * MINUTE)))?.events ?? 0;

    scraper.start(() => [slo]);
    const deadline = Date.now() + 120_000;
    while ((await counted()) < 20 && Date.now() < deadline) await sleep(20);
    await scraper.stop();
    const seen = target.requests.length;
    await sleep(250);

    assert.ok((await counted()) >= 20, `${await counted()} events after ${seen} scrapes`);
    assert.equal(target.requests.length, seen, 'no scrape after stop');
    // Only a machine too busy to answer within the 100 ms interval fails a scrape; the next one catches up.
    assert.deepEqual(
      failures.filter((failure) => failure.kind !== 'timeout'),
      [],
    );
  });
});

// ---- The catalogue ----

const CATALOGUE = `apiVersion: sre-agent/v1
kind: Catalogue
organisation:
  name: Example Payments Ltd
  countries: [GB]
teams:
  - name: web
services:
  - { name: web-shop, team: web, tier: 1, description: Online shop. }
`;

function scrapedCatalogue(dataSource: string, query = 'http_requests_total{job="shop",code=~"5.."}'): string {
  return `apiVersion: openslo/v1
kind: DataSource
metadata:
  name: shop-metrics
spec:
${dataSource}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout
spec:
  service: web-shop
  indicator:
    metadata:
      name: checkout-errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            metricSourceRef: shop-metrics
            spec:
              query: '${query}'
        total:
          metricSource:
            metricSourceRef: shop-metrics
            spec:
              query: 'http_requests_total{job="shop"}'
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
`;
}

function parseWith(slos: string): CatalogueResult {
  return parseCatalogue([
    { name: 'catalogue.yaml', text: CATALOGUE },
    { name: 'slos.yaml', text: slos },
  ]);
}

function problemsOf(slos: string): ReadonlyArray<string> {
  const result = parseWith(slos);
  assert.equal(result.ok, false, 'expected problems');
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('PrometheusText data sources in the catalogue', () => {
  test('give the SLO a scrape target and keep its selectors as written', () => {
    const result = parseWith(
      scrapedCatalogue(
        `  type: prometheustext\n  connectionDetails:\n    url: http://127.0.0.1:9100/metrics\n    interval: 30s`,
      ),
    );
    assert.ok(result.ok, result.ok ? '' : result.problems.map(formatProblem).join('\n'));
    const [slo] = result.catalogue.slos;
    assert.deepEqual(slo?.scrape, { url: 'http://127.0.0.1:9100/metrics', intervalMs: 30 * SECOND });
    assert.equal(slo?.metricSource, 'prometheustext');
    assert.deepEqual(slo?.sli, SHOP_ERRORS);
  });

  test('scrape every 15 seconds unless told otherwise', () => {
    const result = parseWith(
      scrapedCatalogue(`  type: PrometheusText\n  connectionDetails: { url: 'https://shop.example.com/metrics' }`),
    );
    assert.ok(result.ok, result.ok ? '' : result.problems.map(formatProblem).join('\n'));
    assert.deepEqual(result.catalogue.slos[0]?.scrape, {
      url: 'https://shop.example.com/metrics',
      intervalMs: 15 * SECOND,
    });
  });

  test('refuse a bad URL, a bad interval and an unknown field, each where it is written', () => {
    assert.deepEqual(
      problemsOf(
        scrapedCatalogue(
          `  type: PrometheusText\n  connectionDetails:\n    url: ftp://user:secret@shop/metrics\n    interval: 15 seconds`,
        ),
      ),
      [
        'slos.yaml:8:10: must be an http or https URL such as http://127.0.0.1:9100/metrics (spec.connectionDetails.url)',
        'slos.yaml:9:15: "15 seconds" is not a duration: use a number and a unit, largest unit first, such as 30s, 15m, 4h, 1h30m, 28d or 1w (spec.connectionDetails.interval)',
      ],
    );
    assert.deepEqual(
      problemsOf(
        scrapedCatalogue(`  type: PrometheusText\n  connectionDetails: { url: 'http://shop/metrics', interval: 2h }`),
      ),
      ['slos.yaml:7:62: must be from 1s to 1h (spec.connectionDetails.interval)'],
    );
    assert.deepEqual(
      problemsOf(scrapedCatalogue(`  type: PrometheusText\n  connectionDetails: { uri: 'http://shop/metrics' }`)),
      [
        'slos.yaml:7:22: missing required field "url" (spec.connectionDetails.url)',
        'slos.yaml:7:24: unknown field "uri"; did you mean "url"? (spec.connectionDetails.uri)',
      ],
    );
  });

  test('refuse PromQL where a selector belongs', () => {
    const problems = problemsOf(
      scrapedCatalogue(
        `  type: PrometheusText\n  connectionDetails: { url: 'http://shop/metrics' }`,
        'sum(rate(http_requests_total{code=~"5.."}[5m]))',
      ),
    );
    assert.equal(problems.length, 1);
    assert.match(
      problems[0] ?? '',
      /^slos\.yaml:25:22: not a metric selector: unexpected text after the selector .* \(spec\.indicator\.spec\.ratioMetric\.bad\.metricSource\.spec\.query\)$/,
    );
  });

  test('feed the scraper end to end', async (t) => {
    const { store, clock, scraper, failures } = await fixture(t);
    const target = await serveMetrics(t);
    const result = parseWith(
      scrapedCatalogue(`  type: PrometheusText\n  connectionDetails: { url: '${target.url}', interval: 15s }`),
    );
    assert.ok(result.ok, result.ok ? '' : result.problems.map(formatProblem).join('\n'));
    const slos = result.catalogue.slos;
    target.body = requests(0, 0);
    await scraper.scrapeOnce(slos);
    target.body = requests(998, 2);
    clock.advance(15 * SECOND);
    await scraper.scrapeOnce(slos);
    assert.deepEqual(failures, []);
    const [slo] = slos;
    assert.ok(slo);
    assert.deepEqual(await hourOf(store, slo, new Date(NOW.getTime() + 5 * MINUTE)), {
      errorRatio: 0.002,
      events: 1_000,
    });
  });
});
