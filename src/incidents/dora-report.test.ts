import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyDoraIncident, type DoraClassificationInput } from './dora-classification.js';
import { type DoraReportDraft, type DoraReportField, type DoraReportInput, draftDoraReport } from './dora-report.js';

const CLASSIFICATION_INPUT: DoraClassificationInput = {
  criticalServices: { criticalOrImportantFunctions: true },
  clients: { affected: { value: 120_000 }, total: { value: 800_000 } },
  counterparts: { affected: { value: 4 }, total: { value: 10 } },
  transactions: { affectedNumber: { value: 30_000 }, dailyAverageNumber: { value: 200_000 } },
  duration: { occurredAt: '2025-03-03T07:40:00Z', resolvedAt: '2025-03-04T10:10:00Z' },
  cifDowntimeMinutes: { value: 150 },
  memberStates: ['IE', 'FR'],
  dataImpact: { availability: true },
};

function reportInput(changes: Partial<DoraReportInput> = {}): DoraReportInput {
  const classificationInput = changes.classificationInput ?? CLASSIFICATION_INPUT;
  return {
    entity: {
      name: 'Example Payments Ltd',
      lei: '5493001KJTIIGC8Y1R12',
      type: 'Payment institution',
      contacts: [
        { name: 'A. Patel', email: 'a.patel@example.test', telephone: '+44 20 7946 0000' },
        { name: 'B. Murphy', email: 'b.murphy@example.test' },
      ],
      reportingCurrency: 'EUR',
    },
    incidentReference: 'INC-2025-0042',
    authorityReference: 'CA-123',
    detectedAt: '2025-03-03T09:00:00+01:00',
    classifiedAt: '2025-03-03T10:30:00Z',
    occurredAt: '2025-03-03T07:40:00Z',
    recoveredAt: '2025-03-04T09:00:00Z',
    resolvedAt: '2025-03-04T10:10:00Z',
    rootCauseAddressedAt: '2025-03-10T16:00:00Z',
    description: 'Card payments failed | declined for clients in Ireland and France.',
    howDiscovered: 'Error-rate alert on the card authorisation service',
    classification: classifyDoraIncident(classificationInput),
    classificationInput,
    services: ['card-authorisation', 'payments-gateway'],
    importantBusinessServices: ['Card payments'],
    incidentType: 'Operational',
    rootCause: { category: 'Process failure: change management', detail: 'A configuration change was not tested.' },
    resolution: 'The change was rolled back and the configuration corrected.',
    grossCostsAndLosses: { value: 250_000 },
    recoveries: { value: 20_000 },
    recurring: false,
    bcpActivated: true,
    thirdPartyOrigin: false,
    ...changes,
  };
}

function field(draft: DoraReportDraft, number: string): DoraReportField {
  const found = draft.fields.find((entry) => entry.number === number);
  assert.ok(found, `no field ${number} in the ${draft.stage} report`);
  return found;
}

const numbers = (draft: DoraReportDraft) => draft.fields.flatMap((entry) => entry.number ?? []);

const INITIAL = ['2.1', '2.2', '2.3', '2.8', '2.9'];
const INTERMEDIATE = [
  '3.4',
  '3.5',
  '3.6/3.7',
  '3.9',
  '3.10',
  '3.11',
  '3.12',
  '3.15',
  '3.16',
  '3.18/3.19',
  '3.20/3.21',
  '3.22',
  '3.23',
];
const FINAL = ['4.1–4.3', '4.5', '4.7', '4.8', '4.13', '4.14', '4.15/4.16'];

describe('draftDoraReport', () => {
  test('the initial notification has the general information and fields 2.x only', () => {
    const draft = draftDoraReport('initial', reportInput());
    assert.deepEqual(numbers(draft), INITIAL);
    assert.deepEqual(
      draft.fields.filter((entry) => entry.section === 'general').map((entry) => entry.title),
      [
        'Type of submission',
        'Name of the financial entity',
        'LEI of the financial entity',
        'Type of financial entity',
        'Submitting entity and its identification code',
        'Entities covered by an aggregated report',
        'First contact person',
        'Second contact person',
        'Ultimate parent undertaking and its LEI',
        'Reporting currency',
      ],
    );
    assert.equal(field(draft, '2.2').value, '2025-03-03T08:00:00Z');
    assert.equal(field(draft, '2.3').value, '2025-03-03T10:30:00Z');
    assert.equal(field(draft, '2.9').value, true);
    assert.deepEqual(draft.missing, []);
  });

  test('the intermediate report repeats 2.2 and 2.3 and adds the 3.x fields', () => {
    const draft = draftDoraReport('intermediate', reportInput());
    assert.deepEqual(numbers(draft), [...INITIAL, ...INTERMEDIATE]);
    assert.equal(field(draft, '3.4').value, 120_000);
    assert.equal(field(draft, '3.5').value, 15);
    assert.equal(field(draft, '3.6/3.7').value, '4 affected, 40 %');
    assert.equal(field(draft, '3.10').value, 15);
    assert.equal(field(draft, '3.12').value, 'Actual figures');
    assert.equal(field(draft, '3.15').value, '01:02:30');
    assert.equal(field(draft, '3.16').value, '00:02:30');
    assert.deepEqual(field(draft, '3.18/3.19').value, ['IE', 'FR']);
    assert.deepEqual(field(draft, '3.22').value, [
      'ICT services or systems supporting critical or important functions',
    ]);
    assert.equal(field(draft, '3.11').source, 'missing');
    assert.deepEqual(draft.missing, ['3.11']);
  });

  test('the final report repeats 2.2 and 2.3 and adds the 4.x fields', () => {
    const draft = draftDoraReport('final', reportInput());
    assert.deepEqual(numbers(draft), [...INITIAL, ...INTERMEDIATE, ...FINAL]);
    assert.equal(field(draft, '4.7').value, '2025-03-10T16:00:00Z');
    assert.equal(field(draft, '4.8').value, '2025-03-04T10:10:00Z');
    assert.equal(field(draft, '4.13').value, 250_000);
    assert.equal(field(draft, '4.13').unit, 'EUR');
    assert.equal(field(draft, '4.15/4.16').value, false);
    assert.match(
      draft.markdown,
      /\| 4\.13 \| Gross direct and indirect costs and losses \| EUR 250,000 \| Recorded \|/,
    );
  });

  test('missing mandatory fields are listed and shown as to be completed', () => {
    const draft = draftDoraReport(
      'initial',
      reportInput({
        classifiedAt: undefined,
        description: '  ',
        entity: { name: 'Example Payments Ltd', contacts: [{ name: 'A. Patel' }], reportingCurrency: 'EUR' },
      }),
    );
    assert.deepEqual(draft.missing, [
      'LEI of the financial entity',
      'Type of financial entity',
      'Second contact person',
      '2.3',
      'Description of the incident',
    ]);
    assert.equal(field(draft, '2.3').source, 'missing');
    assert.match(
      draft.markdown,
      /\| 2\.3 \| Date and time of classification of the incident as major \| To be completed: \| Missing \|/,
    );
    assert.match(draft.markdown, /## To be completed\n\n- \(1\.1–1\.15\) LEI of the financial entity\n/);
    assert.match(draft.markdown, /- 2\.3 Date and time of classification of the incident as major\n/);
  });

  test('an optional field that is not recorded is not missing', () => {
    const draft = draftDoraReport('initial', reportInput({ thirdPartyOrigin: undefined }));
    assert.equal(field(draft, '2.8').source, 'missing');
    assert.deepEqual(draft.missing, []);
    assert.match(
      draft.markdown,
      /\| 2\.8 \| Incident originating from a third-party provider \| Not recorded \| Missing \|/,
    );
  });

  test('estimates are marked as estimates', () => {
    const classificationInput: DoraClassificationInput = {
      ...CLASSIFICATION_INPUT,
      clients: { affected: { value: 120_000, estimate: true }, total: { value: 800_000 } },
    };
    const draft = draftDoraReport(
      'final',
      reportInput({ classificationInput, grossCostsAndLosses: { value: 250_000, estimate: true } }),
    );
    assert.equal(field(draft, '3.4').source, 'estimate');
    assert.equal(field(draft, '3.5').source, 'estimate');
    assert.equal(field(draft, '3.9').source, 'recorded');
    assert.equal(field(draft, '3.12').value, 'Estimates');
    assert.equal(field(draft, '4.13').source, 'estimate');
    assert.match(draft.markdown, /\| 3\.4 \| Number of clients affected \| 120,000 \| Estimate \|/);
    assert.match(draft.markdown, /confirm the figures marked as estimates before the final report is submitted/);
  });

  test('the Markdown has a heading, the draft note and every field number', () => {
    const draft = draftDoraReport('final', reportInput());
    assert.match(draft.markdown, /^# DORA final report: Example Payments Ltd, incident INC-2025-0042\n/);
    assert.match(draft.markdown, /draft for review/);
    assert.match(draft.markdown, /competent authority's reporting channel/);
    for (const number of numbers(draft)) assert.ok(draft.markdown.includes(`| ${number} |`), number);
    assert.match(draft.markdown, /Card payments failed \\\| declined/);
    assert.match(draft.markdown, /## Intermediate report \(3\.1–3\.35\)/);
  });

  test('the JSON carries the stage, the fields and what is missing', () => {
    const draft = draftDoraReport('intermediate', reportInput({ recoveredAt: undefined }));
    const parsed: unknown = JSON.parse(draft.json);
    assert.ok(typeof parsed === 'object' && parsed !== null);
    assert.ok('stage' in parsed && 'fields' in parsed && 'missing' in parsed);
    assert.equal(parsed.stage, 'intermediate');
    assert.deepEqual(parsed.missing, ['Date and time regular activities were recovered', '3.11']);
    assert.ok(Array.isArray(parsed.fields));
    assert.equal(parsed.fields.length, draft.fields.length);
  });

  test('reports only EU Member States', () => {
    const draft = draftDoraReport('intermediate', reportInput({ memberStates: ['IE', 'GB', 'FR', 'IE'] }));
    assert.deepEqual(field(draft, '3.18/3.19').value, ['IE', 'FR']);
  });

  test('rejects a time that is not ISO 8601', () => {
    assert.throws(() => draftDoraReport('initial', reportInput({ detectedAt: '3 March 2025' })), RangeError);
  });
});
