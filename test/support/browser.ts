/**
 * Debian's Chromium driven by playwright-core (no browser is ever downloaded), with axe-core accessibility checks
 * and full-page screenshots under `test-artefacts/dashboard/`.
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { z } from 'zod';
import { REPOSITORY_ROOT } from './fixtures.js';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The network here is closed: without these Chromium keeps opening connections that are refused. */
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
] as const;

const LAUNCH_TIMEOUT_MS = 60_000;

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;

/** `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`; undefined when that file does not exist. */
export function chromiumPath(): string | undefined {
  const path = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
  return existsSync(path) ? path : undefined;
}

/** Why browser tests skip here, or undefined to run them; under CI a missing Chromium fails at launch instead. */
export function browserSkipReason(): string | undefined {
  if (chromiumPath() !== undefined || process.env.CI === 'true') return undefined;
  return 'Debian chromium is not installed (apt-get install -y chromium)';
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) {
    throw new Error(
      `no Chromium at ${process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM}: apt-get install -y --no-install-recommends chromium`,
    );
  }
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], timeout: LAUNCH_TIMEOUT_MS });
}

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let axeSource: string | undefined;

/** One violation as the page reports it, each node's target already joined into one selector. */
interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: ReadonlyArray<string>;
}

const AxeViolationsSchema = z.array(
  z.object({ id: z.string(), impact: z.string().nullable(), help: z.string(), targets: z.array(z.string()) }),
) satisfies z.ZodType<ReadonlyArray<AxeViolation>>;

/** A string, not a function: the page's globals (`axe`, `document`) have no types on the Node side. */
const RUN_AXE = `(async () => {
  const results = await axe.run(document, {
    runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} },
    resultTypes: ['violations'],
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact ?? null,
    help: violation.help,
    targets: violation.nodes.map((node) => node.target.flat(Infinity).join(' ')),
  }));
})()`;

/**
 * Runs axe-core's WCAG 2.0–2.2 A and AA rules on the page and gives one line per offending node, such as
 * `label (critical): Form elements must have labels at #name`; empty when there is none.
 */
export async function checkAccessibility(page: Page): Promise<string[]> {
  // Not addScriptTag: the dashboard's policy (script-src 'self') blocks inline tags; DevTools evaluation passes it.
  axeSource ??= await readFile(AXE_SOURCE, 'utf8');
  await page.evaluate(axeSource);
  const violations = AxeViolationsSchema.parse(await page.evaluate<unknown>(RUN_AXE));
  return violations.flatMap((violation) =>
    violation.targets.map(
      (target) => `${violation.id} (${violation.impact ?? 'unknown impact'}): ${violation.help} at ${target}`,
    ),
  );
}

/** Writes a full-page PNG to `test-artefacts/dashboard/<name>.png` and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const directory = join(REPOSITORY_ROOT, 'test-artefacts', 'dashboard');
  await mkdir(directory, { recursive: true });
  const path = join(directory, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
