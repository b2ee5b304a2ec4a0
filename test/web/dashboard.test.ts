import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { generateNoteKey } from '../../src/ledger/index.js';
import { browserSkipReason, checkAccessibility, launchChromium, saveScreenshot } from '../support/browser.js';
import { type RunningServer, startBuiltServer } from '../support/cli-runner.js';
import { EXAMPLE_CATALOGUE } from '../support/test-app.js';

/**
 * The dashboard in Debian's Chromium against a built `sre-agent serve` with the demo's catalogue and traffic, as
 * `npm start` runs it. Each page is checked with axe-core for WCAG 2.2 AA and saved as a screenshot under
 * test-artefacts/dashboard/.
 */

// Generous: CI machines have been several times slower than this one.
const WAIT_MS = 45_000;

interface People {
  readonly admin: string;
  readonly requester: string;
  readonly approver: string;
  readonly auditor: string;
  readonly viewer: string;
}

let server: RunningServer | undefined;
let browser: Browser | undefined;
let dataDir: string | undefined;
let people: People | undefined;
let declaredEventId: string | undefined;

function running(): { server: RunningServer; browser: Browser; people: People } {
  if (server === undefined || browser === undefined || people === undefined)
    throw new Error('the dashboard is not set up');
  return { server, browser, people };
}

async function api(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<Response> {
  if (server === undefined) throw new Error('the server is not running');
  return fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
}

async function tokenFor(admin: string, name: string, role: string): Promise<string> {
  const response = await api('POST', '/api/v1/tokens', admin, { name, role });
  assert.equal(response.status, 201, await response.clone().text());
  const created: { token: string } = JSON.parse(await response.text());
  return created.token;
}

/** A fresh tab, signed in through the form as a person would. */
async function signedIn(token: string): Promise<Page> {
  const { server, browser } = running();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(`${server.url}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await ready(page, 'overview');
  return page;
}

async function ready(page: Page, name: string): Promise<void> {
  await page.locator(`main[data-page="${name}"][aria-busy="false"]`).waitFor();
}

async function open(page: Page, hash: string, name: string): Promise<void> {
  const { server } = running();
  await page.goto(`${server.url}/${hash}`);
  await ready(page, name);
}

async function accessible(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, name);
  assert.deepEqual(await checkAccessibility(page), [], `axe-core found WCAG 2.2 AA violations on ${name}`);
}

describe('the dashboard in a real browser', { skip: browserSkipReason() ?? false, timeout: 900_000 }, () => {
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sre-dashboard-'));
    server = await startBuiltServer(
      [
        '--port',
        '0',
        '--catalogue',
        EXAMPLE_CATALOGUE,
        '--data-dir',
        dataDir,
        '--bootstrap-admin-token',
        '--demo-traffic',
      ],
      { SRE_AGENT_SLO_EVALUATION_INTERVAL: '5s' },
    );
    const admin = /\n {2}(sre_[A-Za-z0-9_-]{43})\n/.exec(server.stderr())?.[1];
    assert.ok(admin !== undefined, server.stderr());
    people = {
      admin,
      requester: await tokenFor(admin, 'aisha.khan', 'admin'),
      approver: await tokenFor(admin, 'tom.whitfield', 'approver'),
      auditor: await tokenFor(admin, 'ada.auditor', 'auditor'),
      viewer: await tokenFor(admin, 'victor.viewer', 'viewer'),
    };
    const declared = await api('POST', '/api/v1/incidents', admin, {
      title: 'Card authorisations failing',
      services: ['card-payments-gateway'],
    });
    assert.equal(declared.status, 201, await declared.clone().text());
    const change = await api('POST', '/api/v1/changes', people.requester, {
      type: 'normal',
      title: 'Rotate the card scheme TLS certificate',
      description: 'Replace the certificate presented to the card scheme before it expires.',
      reason: 'The current certificate expires on 14 December.',
      services: ['card-payments-gateway'],
      implementer: 'liam.oconnor',
      plannedWindow: { start: '2026-12-08T09:00:00Z', end: '2026-12-08T12:00:00Z' },
      securityImpact: 'New key pair generated in the HSM.',
      testEvidence: 'Handshake tested against the certification environment.',
      rollbackPlan: 'Re-install the previous certificate (about 5 minutes).',
    });
    assert.equal(change.status, 201, await change.clone().text());
    assert.equal((await api('POST', '/api/v1/changes/CHG-1/submit', people.requester, {})).status, 200);
    const emergency = await api('POST', '/api/v1/changes', people.requester, {
      type: 'emergency',
      title: 'Restart the stuck ledger writer',
      description: 'Restart the ledger writer process on both nodes.',
      reason: 'Postings have stopped.',
      services: ['core-ledger'],
      implementer: 'liam.oconnor',
      securityImpact: 'None.',
      testEvidence: 'Restart procedure rehearsed last quarter.',
      rollbackPlan: 'None needed: a restart changes no state.',
    });
    assert.equal(emergency.status, 201, await emergency.clone().text());
    const timeline: { items: Array<{ id: string; type: string }> } = JSON.parse(
      await (await api('GET', '/api/v1/incidents/INC-1/timeline', admin)).text(),
    );
    declaredEventId = timeline.items.find((event) => event.type === 'incident.declared')?.id;
    assert.equal((await api('GET', '/api/v1/gate?service=card-payments-gateway&change=CHG-1', admin)).status, 200);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  test('signs in by keyboard with a token typed into the form, kept in session storage and never in a URL', async () => {
    const { server, people } = running();
    const context = await running().browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${server.url}/`);
    await ready(page, 'sign-in');
    await accessible(page, 'sign-in');

    await page.getByLabel('API token').fill('sre_not_a_real_token_at_all_0000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /Could not sign in/);

    // By keyboard alone: into the field, type, Enter; then the skip link takes focus to the page's heading.
    await page.getByLabel('API token').fill('');
    await page.getByLabel('API token').focus();
    await page.keyboard.type(people.requester);
    await page.keyboard.press('Enter');
    await ready(page, 'overview');
    const focused = 'document.activeElement.tagName + " " + document.activeElement.textContent';
    assert.equal(await page.evaluate(focused), 'H1 Overview', 'a new page puts focus on its heading');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(focused), 'A INC-1: Card authorisations failing');
    await page.keyboard.press('Enter');
    await ready(page, 'incident');
    assert.equal(await page.evaluate(focused), 'H1 INC-1: Card authorisations failing');
    const skip = page.getByRole('button', { name: 'Skip to main content' });
    await skip.focus();
    const box = await skip.boundingBox();
    assert.ok(box !== null && box.x >= 0 && box.y >= 0, 'the skip link comes on screen when it has focus');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(focused), 'H1 INC-1: Card authorisations failing');
    assert.ok(!page.url().includes(people.requester));
    assert.equal(await page.evaluate('sessionStorage.getItem("sre-agent.token")'), people.requester);
    assert.equal(await page.evaluate('localStorage.length'), 0);
    assert.match((await page.locator('header').textContent()) ?? '', /Signed in as aisha\.khan \(admin\)/);
    await context.close();
  });

  test('the overview shows services by tier, the open incident with its clocks, waiting changes, freezes and the checkpoint', async () => {
    const page = await signedIn(running().people.requester);
    assert.equal(await page.locator('[data-service-row]').count(), 15);
    const gateway = page.locator('[data-service-row="card-payments-gateway"]');
    assert.match((await gateway.locator('td').first().textContent()) ?? '', /^payments-core$/);
    assert.match(
      (await gateway.locator('.badge').textContent()) ?? '',
      /^[✓!✕–] (Within objective|Burning: paging|Burning: ticket|Budget low|Budget exhausted|No data)$/,
    );
    const incident = page.locator('[data-incident="INC-1"]');
    assert.match((await incident.textContent()) ?? '', /Card authorisations failing/);
    assert.match((await incident.textContent()) ?? '', /SEV\d/);
    assert.match(
      (await incident.locator('[data-clock="uk-impact-tolerance:impact-tolerance"]').textContent()) ?? '',
      /UTC/,
    );
    assert.match(
      (await page.locator('#waiting-changes').locator('..').textContent()) ?? '',
      /CHG-1: Rotate the card scheme/,
    );
    const freezes: { items: Array<{ name: string; activeNow: boolean }> } = JSON.parse(
      await (await api('GET', '/api/v1/freeze-windows', running().people.admin)).text(),
    );
    const inForce = freezes.items.filter((freeze) => freeze.activeNow).map((freeze) => freeze.name);
    const panel = (await page.locator('#freezes').locator('..').textContent()) ?? '';
    if (inForce.length === 0) assert.match(panel, /No freeze window is in force/);
    for (const name of inForce) assert.ok(panel.includes(name), `${name} is in force but not shown: ${panel}`);
    assert.match((await page.locator('#checkpoint').locator('..').textContent()) ?? '', /Root hash[0-9a-f]{64}/);
    await accessible(page, 'overview');

    await page.getByLabel('Filter by service or team').fill('ledger');
    await page.getByText('2 of 15 services shown').waitFor();
    assert.deepEqual(
      await page
        .locator('[data-service-row]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-service-row'))),
      ['core-ledger', 'reporting-warehouse'],
    );
    await page.context().close();
  });

  test('an incident shows each clock due in Europe/London and UTC with time left, and a classification starts the DORA clocks', async () => {
    const page = await signedIn(running().people.requester);
    await page.getByRole('link', { name: 'INC-1: Card authorisations failing' }).first().click();
    await ready(page, 'incident');
    const tolerance = page.locator('main [data-clock="uk-impact-tolerance:impact-tolerance"]');
    const cells = await tolerance.locator('td').allTextContents();
    assert.match(cells[0] ?? '', /pending$/);
    assert.match(cells[1] ?? '', /^\d{1,2} [A-Z][a-z]{2} 20\d\d, \d\d:\d\d (GMT|BST)$/);
    assert.match(cells[2] ?? '', /^\d{1,2} [A-Z][a-z]{2} 20\d\d, \d\d:\d\d UTC$/);
    assert.match(cells[3] ?? '', /^in 1 h [0-5]\d min$/);
    assert.equal(
      await page.locator('main [data-clock="dora:initial"]').count(),
      0,
      'DORA clocks wait for a classification',
    );

    await page.getByRole('button', { name: 'Acknowledge INC-1' }).click();
    await page.getByRole('status').filter({ hasText: 'Acknowledged.' }).waitFor();
    await page.getByRole('rowheader', { name: 'Acknowledged' }).waitFor();
    await page.getByLabel('Status update').fill('Rolled back the scheme certificate; declines are falling.');
    await page.getByLabel('New status (optional)').selectOption('monitoring');
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.getByRole('status').filter({ hasText: 'Update posted.' }).waitFor();
    await page.locator('main > p .badge', { hasText: 'monitoring' }).waitFor();

    await page.getByLabel('Role', { exact: true }).selectOption('commander');
    await page.getByLabel('Person', { exact: true }).fill('Priya Shah');
    await page.getByRole('button', { name: 'Assign role' }).click();
    await page.getByRole('status').filter({ hasText: 'Incident commander: Priya Shah.' }).waitFor();
    await page.locator('#roles-heading').locator('..').locator('dd', { hasText: 'Priya Shah' }).waitFor();

    // Left to the assessment: critical functions, 30 % of clients and EUR 200,000 meet two criteria of 2024/1772.
    assert.equal(await page.getByLabel('Major ICT-related incident under DORA').inputValue(), 'assess');
    await page.getByLabel('Affects ICT services supporting critical or important functions').check();
    await page.getByLabel('Clients affected').fill('300000');
    await page.getByLabel('Clients using the service').fill('1000000');
    await page.getByLabel('Costs and losses (EUR)').fill('200000');
    await page.getByLabel('Root cause (the same words link recurring incidents)').fill('expired scheme certificate');
    await page.getByRole('button', { name: 'Record classification' }).click();
    await page.getByRole('status').filter({ hasText: 'Classification recorded. DORA assessment: major.' }).waitFor();
    const initial = page.locator('main [data-clock="dora:initial"]');
    await initial.waitFor();
    const doraCells = await initial.locator('td').allTextContents();
    assert.match(doraCells[1] ?? '', /(GMT|BST)$/);
    assert.match(doraCells[2] ?? '', /UTC$/);
    assert.match(doraCells[3] ?? '', /^in \d+ (d|h|min) /);
    await accessible(page, 'incident');

    const review = page.getByRole('button', { name: 'Download Markdown of the post-incident review' });
    const [download] = await Promise.all([page.waitForEvent('download'), review.click()]);
    assert.equal(download.suggestedFilename(), 'INC-1-review.md');

    // The initial notification goes to the authority: recording it settles that clock and starts the next.
    const intermediate = page.locator('main [data-clock="dora:intermediate"]');
    assert.match((await intermediate.locator('td').first().textContent()) ?? '', /awaiting anchor$/);
    await initial.getByRole('button', { name: /^Record as submitted/ }).click();
    await page.getByLabel('Reference from the authority (optional)').fill('CBI-DORA-2026-0042');
    await page.getByRole('button', { name: 'Record submission' }).click();
    await page.getByRole('status').filter({ hasText: 'Initial notification recorded as submitted.' }).waitFor();
    await initial.locator('.badge', { hasText: 'met' }).waitFor();
    assert.match((await initial.textContent()) ?? '', /submitted \d{1,2} [A-Z][a-z]{2} 20\d\d/);
    await intermediate.locator('.badge', { hasText: 'pending' }).waitFor();

    await page.getByRole('button', { name: 'Resolve INC-1' }).click();
    await page.getByRole('status').filter({ hasText: 'Resolved' }).waitFor();
    await page.locator('main > p .badge', { hasText: 'resolved' }).waitFor();
    await page.context().close();
  });

  test('the requester is refused by the server and told why; an independent approver approves', async () => {
    const { people } = running();
    const requester = await signedIn(people.requester);
    await open(requester, '#/changes/CHG-1', 'change');
    assert.match((await requester.locator('main').textContent()) ?? '', /tier 1 service card-payments-gateway: \+3/);
    await requester.getByRole('button', { name: 'Approve CHG-1' }).click();
    const refusal = requester.locator('[data-refusal]');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /aisha\.khan requested this change and so cannot approve it/);
    await accessible(requester, 'change-refused');
    await requester.getByRole('button', { name: 'Sign out' }).click();
    await ready(requester, 'sign-in');
    assert.equal(await requester.evaluate('sessionStorage.getItem("sre-agent.token")'), null);
    await requester.context().close();

    const approver = await signedIn(people.approver);
    await open(approver, '#/changes/CHG-1', 'change');
    await approver.getByRole('button', { name: 'Approve CHG-1' }).click();
    await approver.getByRole('status').filter({ hasText: 'Your approval is recorded' }).waitFor();
    await approver.locator('main').getByText('tom.whitfield', { exact: false }).first().waitFor();
    await approver.context().close();

    const change: { approvals: Array<{ approver: string }> } = JSON.parse(
      await (await api('GET', '/api/v1/changes/CHG-1', people.admin)).text(),
    );
    assert.deepEqual(
      change.approvals.map((approval) => approval.approver),
      ['token:tom.whitfield'],
    );
    const entries: { items: Array<{ event: { type: string; actor: string } }> } = JSON.parse(
      await (await api('GET', '/api/v1/ledger/entries?start=0', people.admin)).text(),
    );
    assert.ok(
      entries.items.some(
        (entry) => entry.event.type === 'change.approval_refused' && entry.event.actor === 'token:aisha.khan',
      ),
      'the refused attempt is in the ledger',
    );
  });

  test('the changes list, the incidents list and a service page with its charts and dependency graph', async () => {
    const page = await signedIn(running().people.approver);
    await open(page, '#/changes', 'changes');
    assert.equal(await page.locator('[data-change="CHG-1"]').count(), 1);
    await accessible(page, 'changes');
    await page.getByRole('link', { name: 'CHG-2: Restart the stuck ledger writer' }).click();
    await ready(page, 'change');
    assert.match((await page.locator('main dl').textContent()) ?? '', /Planned windownone/);
    await open(page, '#/changes', 'changes');
    await open(page, '#/incidents', 'incidents');
    await accessible(page, 'incidents');
    await open(page, '#/services/card-payments-gateway', 'service');
    await page.locator('[data-slo] canvas').first().waitFor();
    assert.ok((await page.locator('[data-slo]').count()) >= 1);
    assert.ok((await page.locator('.graph a').count()) >= 3, 'its dependencies are drawn as links');
    // The range changes what is drawn, not only the heading: the figures now start seven days ago.
    const weekAgo = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    }).format(new Date(Date.now() - 7 * 86_400_000));
    const firstFigure = page.locator('[data-slo]').first().locator('.chart tbody th[scope="row"]').first();
    assert.doesNotMatch((await firstFigure.textContent()) ?? '', new RegExp(`^${weekAgo},`));
    await page.getByLabel('Chart range').selectOption('7d');
    await page
      .getByRole('heading', { name: /SLI, last 7 days/ })
      .first()
      .waitFor();
    await page
      .locator('[data-slo]')
      .first()
      .locator('.chart tbody th[scope="row"]')
      .first()
      .filter({ hasText: new RegExp(`^${weekAgo},`) })
      .waitFor({ state: 'attached' });
    await accessible(page, 'service');
    await page.context().close();
  });

  test('a viewer sees what the role may read, and is told what it may not', async () => {
    const { people } = running();
    const page = await signedIn(people.viewer);
    const checkpoint = page.locator('#checkpoint').locator('..');
    await checkpoint.getByText('Not allowed to read the ledger').waitFor();
    assert.equal(await checkpoint.getByRole('alert').count(), 0, 'an expected refusal is not an alert');
    await accessible(page, 'overview-viewer');
    await open(page, '#/changes/CHG-1', 'change');
    assert.equal(await page.getByRole('button', { name: 'Approve CHG-1' }).count(), 0);
    await page.getByText('Your role (viewer) may not approve changes.').waitFor();
    await page.context().close();
  });

  test('an auditor verifies an inclusion proof in the browser, and a key the log never used fails', async () => {
    const page = await signedIn(running().people.auditor);
    await open(page, '#/ledger', 'ledger');
    await page.getByLabel('Ledger index or event id').fill('1');
    await page.getByRole('button', { name: 'Verify inclusion' }).click();
    await page.locator('[data-verified="true"]').waitFor();
    const steps = (await page.locator('.steps').textContent()) ?? '';
    for (const step of ['Verifier key', 'Checkpoint signature', 'Leaf hash', 'Inclusion proof'])
      assert.ok(steps.includes(step), steps);
    assert.match((await page.locator('.verification pre').textContent()) ?? '', /"seq": "1"/);
    await accessible(page, 'ledger');

    const newest = page.locator('#recent-heading').locator('..').locator('tbody tr');
    const indexes = (await newest.locator('th').allTextContents()).map(Number);
    const head: { size: string } = JSON.parse(
      await (await api('GET', '/api/v1/ledger/entries?start=0&end=0', running().people.admin)).text(),
    );
    const newestIndex = indexes[0] ?? -1;
    assert.ok(newestIndex >= 0 && newestIndex < Number(head.size), `newest entries: ${indexes.join(', ')}`);
    assert.equal(indexes.length, Math.min(20, newestIndex + 1), `newest entries: ${indexes.join(', ')}`);
    assert.deepEqual(
      indexes,
      indexes.map((_, i) => newestIndex - i),
      'newest first, one after another',
    );
    await newest
      .first()
      .getByRole('button', { name: `Verify entry ${newestIndex}` })
      .click();
    await page
      .locator('[data-verified="true"]')
      .filter({ hasText: `Entry ${newestIndex} is in the signed ledger` })
      .waitFor();

    // By event id: the leaf must be that very event, not merely some entry in the log.
    assert.ok(declaredEventId !== undefined);
    await page.getByLabel('Ledger index or event id').fill(declaredEventId);
    await page.getByRole('button', { name: 'Verify inclusion' }).click();
    await page.locator('[data-verified="true"]').filter({ hasText: 'is in the signed ledger' }).waitFor();
    const verified = (await page.locator('.verification').textContent()) ?? '';
    assert.ok(verified.includes(`the one asked for (${declaredEventId})`), verified);
    assert.match((await page.locator('.verification pre').textContent()) ?? '', /"type": "incident\.declared"/);

    await page.getByLabel('Verifier key you trust').fill(generateNoteKey('sre-agent.local/ledger').verifierKey);
    await page.getByRole('button', { name: 'Verify inclusion' }).click();
    await page.locator('[data-verified="false"]').waitFor();
    assert.match(
      (await page.locator('.steps').textContent()) ?? '',
      /Checkpoint signature: no signature by sre-agent\.local\/ledger verifies/,
    );
    await page.context().close();
  });
});
