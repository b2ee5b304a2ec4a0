/**
 * The dashboard's two budgets: the overview of a 1,000-service catalogue rendered in Debian's Chromium against the
 * built server (`sre-agent serve`) in under 1 s, and the JavaScript in `dist/web` under 250 KB gzipped.
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { formatProblem, parseCatalogue } from '../src/catalogue/index.js';
import { chromiumPath, launchChromium } from '../test/support/browser.js';
import { type RunningServer, startBuiltServer } from '../test/support/cli-runner.js';
import { REPOSITORY_ROOT } from '../test/support/fixtures.js';
import { syntheticCatalogue } from './catalogue-bench.js';
import { type BenchOutcome, formatCount, formatMs, median, verdict } from './measure.js';

const SERVICE_COUNT = 1000;
const BUDGET_MS = 1000;
const BUDGET_JS_BYTES = 250_000;
const KB = 1000;
const READY = 'main[data-page="overview"][aria-busy="false"]';
const READY_TIMEOUT_MS = 30_000;
const WEB_DIRECTORY = join(REPOSITORY_ROOT, 'dist', 'web');

export interface DashboardBenchSettings {
  /** Timed page loads, after one unrecorded load that warms the server. */
  readonly runs: number;
}

export interface OverviewFigures {
  readonly services: number;
  readonly slos: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  /** `[data-service-row]` elements on the last load. */
  readonly rows: number;
  readonly generateMs: number;
  readonly serverStartMs: number;
  readonly chromium: string;
}

export interface ShippedFigures {
  readonly jsFiles: number;
  readonly jsBytes: number;
  readonly jsGzipBytes: number;
  readonly cssFiles: number;
  readonly cssGzipBytes: number;
}

export interface DashboardBenchResult {
  readonly shipped: BenchOutcome<ShippedFigures>;
  readonly overview: BenchOutcome<OverviewFigures>;
}

export async function dashboardBench(settings: DashboardBenchSettings): Promise<DashboardBenchResult> {
  if (!existsSync(join(WEB_DIRECTORY, 'index.html'))) {
    const skipped = { status: 'skipped', reason: 'dist/web/index.html is missing: run npm run build' } as const;
    return { shipped: skipped, overview: skipped };
  }
  const shipped: BenchOutcome<ShippedFigures> = { status: 'measured', figures: await shippedSizes(WEB_DIRECTORY) };
  if (chromiumPath() === undefined) {
    return { shipped, overview: { status: 'skipped', reason: 'Debian chromium is not installed' } };
  }
  try {
    return { shipped, overview: { status: 'measured', figures: await overviewLoads(settings.runs) } };
  } catch (error: unknown) {
    return { shipped, overview: { status: 'failed', reason: error instanceof Error ? error.message : String(error) } };
  }
}

export function formatDashboardBench(result: DashboardBenchResult): string[] {
  const lines = [
    '## dashboard: the built server and dist/web, in Debian Chromium (headless), a fresh context per load',
  ];
  const { shipped, overview } = result;
  if (shipped.status === 'measured') {
    const figures = shipped.figures;
    lines.push(
      `dashboard JavaScript shipped: ${formatKb(figures.jsGzipBytes)} gzipped (level 9; ${files(figures.jsFiles)}, ` +
        `${formatKb(figures.jsBytes)} raw) | anchor: under 250 KB ${verdict(figures.jsGzipBytes < BUDGET_JS_BYTES)}` +
        ` | CSS ${formatKb(figures.cssGzipBytes)} gzipped (${files(figures.cssFiles)})`,
    );
  } else {
    lines.push(`dashboard JavaScript shipped: ${shipped.status}: ${shipped.reason}`);
  }
  if (overview.status === 'measured') {
    const figures = overview.figures;
    const subject = `dashboard overview (${formatCount(figures.services)} services, ${formatCount(figures.slos)} SLOs)`;
    lines.push(
      `${subject}: median ${formatMs(figures.medianMs)}, max ${formatMs(figures.maxMs)} to aria-busy="false" ` +
        `(${figures.runs} loads, ${formatCount(figures.rows)} rows) | anchor: under 1,000 ms (max) ` +
        verdict(figures.maxMs < BUDGET_MS && figures.rows === figures.services),
      `# catalogue written in ${formatMs(figures.generateMs)}, server started in ${formatMs(figures.serverStartMs)}; ` +
        figures.chromium,
    );
  } else {
    lines.push(`dashboard overview: ${overview.status}: ${overview.reason}`);
  }
  return lines;
}

async function overviewLoads(runs: number): Promise<OverviewFigures> {
  const catalogueDir = await mkdtemp(join(tmpdir(), 'sre-bench-dashboard-catalogue-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'sre-bench-dashboard-data-'));
  let server: RunningServer | undefined;
  try {
    const generateStarted = performance.now();
    const slos = await writeCatalogue(catalogueDir);
    const generateMs = performance.now() - generateStarted;

    const serverStarted = performance.now();
    server = await startBuiltServer([
      '--port',
      '0',
      '--catalogue',
      catalogueDir,
      '--data-dir',
      dataDir,
      '--bootstrap-admin-token',
    ]);
    const token = await bootstrapToken(server);
    const serverStartMs = performance.now() - serverStarted;
    const url = server.url;
    // Before any page script, as the sign-in page would leave it; about:blank has no storage to write to.
    const signIn = {
      content: `if (location.origin === ${JSON.stringify(url)}) sessionStorage.setItem('sre-agent.token', ${JSON.stringify(token)});`,
    };

    const browser = await launchChromium();
    try {
      const load = async (): Promise<{ ms: number; rows: number }> => {
        const context = await browser.newContext();
        try {
          await context.addInitScript(signIn);
          const page = await context.newPage();
          const started = performance.now();
          await page.goto(`${url}/#/`);
          await page.waitForSelector(READY, { timeout: READY_TIMEOUT_MS });
          const ms = performance.now() - started;
          return { ms, rows: await page.locator('[data-service-row]').count() };
        } finally {
          await context.close();
        }
      };
      await load();
      const times: number[] = [];
      let rows = 0;
      for (let run = 0; run < runs; run += 1) {
        const measured = await load();
        times.push(measured.ms);
        rows = measured.rows;
      }
      return {
        services: SERVICE_COUNT,
        slos,
        runs,
        medianMs: median(times),
        maxMs: Math.max(...times),
        rows,
        generateMs,
        serverStartMs,
        chromium: `Chromium ${browser.version()}`,
      };
    } finally {
      await browser.close();
    }
  } finally {
    await server?.stop();
    await rm(catalogueDir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The catalogue benchmark's 1,000 services with one OpenSLO SLO each, checked here; answers how many SLOs. */
async function writeCatalogue(directory: string): Promise<number> {
  const files = [...syntheticCatalogue()];
  const parsed = parseCatalogue(files);
  if (!parsed.ok) throw new Error('the synthetic catalogue is invalid');
  files.push({ name: 'slos/synthetic-openslo.yaml', text: openSloFile(parsed.catalogue.services.map((s) => s.name)) });
  const checked = parseCatalogue(files);
  if (!checked.ok) {
    const shown = checked.problems.slice(0, 5).map(formatProblem).join('\n  ');
    throw new Error(`the synthetic catalogue with SLOs is invalid (${checked.problems.length} problems):\n  ${shown}`);
  }
  if (checked.catalogue.services.length !== SERVICE_COUNT) {
    throw new Error(`the synthetic catalogue has ${checked.catalogue.services.length} services, not ${SERVICE_COUNT}`);
  }
  for (const file of files) {
    const path = join(directory, file.name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.text);
  }
  return checked.catalogue.slos.length;
}

/** As `examples/catalogue/slos/ledger-openslo.yaml`: one data source and an SLO with an inline ratio indicator each. */
function openSloFile(services: ReadonlyArray<string>): string {
  const dataSource = {
    apiVersion: 'openslo/v1',
    kind: 'DataSource',
    metadata: { name: 'prometheus' },
    spec: { type: 'Prometheus', connectionDetails: { url: 'http://127.0.0.1:9090' } },
  };
  const metric = (query: string) => ({ metricSource: { metricSourceRef: 'prometheus', spec: { query } } });
  const slo = (service: string) => ({
    apiVersion: 'openslo/v1',
    kind: 'SLO',
    metadata: { name: `${service}-availability`, displayName: `${service} requests succeed` },
    spec: {
      description: `99.9 % of ${service} requests succeed over 28 days.`,
      service,
      indicator: {
        metadata: { name: `${service}-errors` },
        spec: {
          ratioMetric: {
            counter: true,
            good: metric(`http_requests_total{job="${service}",code!~"5.."}`),
            total: metric(`http_requests_total{job="${service}"}`),
          },
        },
      },
      timeWindow: [{ duration: '28d', isRolling: true }],
      budgetingMethod: 'Occurrences',
      objectives: [{ displayName: 'Requests succeed', target: 0.999 }],
    },
  });
  return [dataSource, ...services.map(slo)].map((document) => stringify(document)).join('---\n');
}

/** The serve command prints the token in the same write as its address, but a pipe may split the two. */
async function bootstrapToken(server: RunningServer): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const token = /shown only now:\s+(\S+)/.exec(server.stderr())?.[1];
    if (token !== undefined) return token;
    await delay(50);
  }
  throw new Error(`the server printed no bootstrap token:\n${server.stderr()}`);
}

async function shippedSizes(directory: string): Promise<ShippedFigures> {
  const files = await listFiles(directory);
  const sizes = async (extension: string) => {
    const texts = await Promise.all(files.filter((file) => file.endsWith(extension)).map((file) => readFile(file)));
    return {
      files: texts.length,
      bytes: texts.reduce((total, text) => total + text.byteLength, 0),
      gzipBytes: texts.reduce((total, text) => total + gzipSync(text, { level: 9 }).byteLength, 0),
    };
  };
  const js = await sizes('.js');
  const css = await sizes('.css');
  return {
    jsFiles: js.files,
    jsBytes: js.bytes,
    jsGzipBytes: js.gzipBytes,
    cssFiles: css.files,
    cssGzipBytes: css.gzipBytes,
  };
}

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

function files(count: number): string {
  return `${count} ${count === 1 ? 'file' : 'files'}`;
}

function formatKb(bytes: number): string {
  return `${(bytes / KB).toFixed(1)} KB`;
}
