import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Contribution,
  type ContributionKind,
  REQUIRED_SECTIONS,
  renderMarkdown,
  SIGN_OFF,
} from './contribution.js';
import { type ContributionProblemCode, checkContribution } from './contribution-checks.js';

function contributionOf(kind: ContributionKind, prose: string): Contribution {
  return {
    kind,
    subject: 'subject',
    title: 'A contribution',
    persona: 'sre-agent/1',
    sections: REQUIRED_SECTIONS[kind].map((spec, index) => ({
      id: spec.id,
      heading: spec.heading,
      paragraphs: [index === 0 ? prose : 'Nothing more to say here.'],
    })),
    citations: [{ source: 'Google SRE workbook', what: 'alert on burn rate over two windows' }],
    generatedAt: '2026-03-10T09:00:00.000Z',
    timeZone: 'Europe/London',
  };
}

function markdownWith(prose: string, kind: ContributionKind = 'service'): string {
  return renderMarkdown(contributionOf(kind, prose));
}

function codes(markdown: string): ContributionProblemCode[] {
  return checkContribution(markdown).map((problem) => problem.code);
}

describe('checkContribution', () => {
  for (const kind of ['service', 'ibs', 'change', 'incident'] as const) {
    test(`passes a ${kind} contribution with every required section`, () => {
      assert.deepEqual(checkContribution(markdownWith('The budget allows 21.6 minutes of failure.', kind)), []);
    });
  }

  describe('required sections', () => {
    test('reports each section the kind requires and the Markdown lacks', () => {
      const markdown = markdownWith('Fine.').replace('## Capacity\n', '').replace('## Sources\n', '');
      const problems = checkContribution(markdown).filter((problem) => problem.code === 'missing-section');
      assert.deepEqual(
        problems.map((problem) => problem.message),
        ['a service contribution needs a "## Capacity" section', 'a service contribution needs a "## Sources" section'],
      );
    });

    test('takes the kind from the argument over the Kind line', () => {
      const problems = checkContribution(markdownWith('Fine.', 'service'), 'incident');
      assert.ok(problems.some((problem) => problem.message.includes('"## Next actions"')));
    });

    test('reports a contribution whose kind cannot be told', () => {
      assert.deepEqual(codes(markdownWith('Fine.').replace('- Kind: service\n', '')), ['unknown-kind']);
    });
  });

  describe('UK spelling', () => {
    const cases = [
      ['Our organization', 'organisation'],
      ['We prioritize the ledger', 'prioritise'],
      ['Analyze the logs', 'analyse'],
      ['Its behavior under load', 'behaviour'],
      ['The color of the dashboard', 'colour'],
      ['The data center', 'centre'],
      ['Renew the license before it lapses', 'licence (the noun)'],
      ['The service catalog', 'catalogue'],
      ['Defense in depth', 'defence'],
      ['The resilience program for this year', 'programme (a plan of work)'],
      ['We favor canaries', 'favour'],
      ['Honor the freeze', 'honour'],
      ['Labor costs', 'labour'],
      ['Capacity modeling', 'modelling'],
      ['The change was canceled', 'cancelled'],
      ['Fulfill the request', 'fulfil'],
      ['Enroll the device', 'enrol'],
      ['Authorization failed', 'authorisation'],
      ['Keep the artifact', 'artefact'],
      ['Five percent of requests', 'per cent'],
    ] as const;
    for (const [text, uk] of cases) {
      test(`flags "${text}" and suggests ${uk}`, () => {
        const problems = checkContribution(markdownWith(`${text}.`)).filter(
          (problem) => problem.code === 'us-spelling',
        );
        assert.equal(problems.length, 1, JSON.stringify(problems));
        assert.match(problems[0]?.message ?? '', new RegExp(`"${uk.replace(/[()]/g, '\\$&')}"`, 'i'));
      });
    }

    test('passes UK spellings and the verb and computing senses', () => {
      const text =
        'The organisation prioritises, analyses and models behaviour; it centred the catalogue, cancelled a licence, licensed the software, ran the program that exports logs, and fulfilled the programme.';
      assert.deepEqual(codes(markdownWith(text)), []);
    });

    test('ignores code spans, code blocks, URLs and quotations', () => {
      const contribution = contributionOf(
        'service',
        'Run `analyze --color` and read https://example.com/catalog as “the organization said”.',
      );
      const markdown = renderMarkdown(contribution).replace('Nothing more to say here.', '```\nprioritize(color)\n```');
      assert.deepEqual(codes(markdown), []);
    });
  });

  describe('numbers carry units', () => {
    const bare = [
      'Set the threshold to 300.',
      'Alert when latency exceeds 300 for five minutes.',
      'The RTO is 4, the RPO is 1.',
      'Errors rose (to 12) overnight.',
    ];
    for (const text of bare) {
      test(`flags "${text}"`, () => {
        assert.ok(codes(markdownWith(text)).includes('number-without-unit'));
      });
    }

    test('flags a bare number in a table cell', () => {
      const contribution = contributionOf('service', 'Fine.');
      const withTable = {
        ...contribution,
        sections: contribution.sections.map((part, index) =>
          index === 0 ? { ...part, table: { columns: ['Tier', 'Burn rate'], rows: [['page', '14.4']] } } : part,
        ),
      };
      assert.ok(codes(renderMarkdown(withTable)).includes('number-without-unit'));
    });

    test('passes units, identifiers, dates, times, versions and references', () => {
      const text = [
        'It used 21.6 minutes, 99.95% of requests, 0.5 % of budget and a 14.4× burn over 1h and 5m.',
        'It needs 2 approvals and 1 more approval, with 15–30 minutes of work and 6,000 requests.',
        'See INC-1, CHG-22, tier 1 and tiers 3 and 4 on 2026-03-10 at 09:00 GMT, or 10 March 2026.',
        'PCI DSS 6.5.1, requirements 10.2–10.5, ISO/IEC 27001:2022 control 8.32, SOC 2 CC8.1 and SOX section 404 apply.',
        'DORA Art 17(2), Arts 11, 12 and 24, 2025/301 Art 5(1)(a), 5(2), SYSC 15A.2.5R and Principle 11 apply.',
        'Latency p99 stays under 300ms at step 2; GBP 18,000,000 and £250 are at stake; 1 in 2,000 fails; and 3 more.',
        'The 5-minute window, version v4.0.1, N+1 capacity and a 3-D Secure challenge are fine, as was 2025.',
      ].join(' ');
      assert.deepEqual(checkContribution(markdownWith(text)), []);
    });

    test('ignores ordered-list markers', () => {
      const contribution = contributionOf('service', 'Steps follow.');
      const numbered = {
        ...contribution,
        sections: contribution.sections.map((part, index) =>
          index === 0 ? { ...part, bullets: ['Acknowledge.', 'Declare.'], numbered: true } : part,
        ),
      };
      const markdown = renderMarkdown(numbered);
      assert.match(markdown, /^2\. Declare\.$/m);
      assert.deepEqual(checkContribution(markdown), []);
    });
  });

  describe('sign-off', () => {
    test('accepts the sign-off as the last line, with or without a final newline', () => {
      const markdown = markdownWith('Fine.');
      assert.ok(markdown.endsWith(`\n${SIGN_OFF}\n`));
      assert.deepEqual(checkContribution(markdown.trimEnd()), []);
    });

    test('rejects a missing, altered or buried sign-off', () => {
      const markdown = markdownWith('Fine.');
      for (const broken of [
        markdown.replace(`${SIGN_OFF}\n`, ''),
        markdown.replace(SIGN_OFF, 'Agent SRE complete.'),
        markdown.replace(SIGN_OFF, `${SIGN_OFF} `),
        `${markdown}Anything else?\n`,
      ]) {
        assert.deepEqual(codes(broken), ['sign-off']);
      }
    });
  });

  test('gives the line of each problem', () => {
    const markdown = markdownWith('Our organization.');
    const problem = checkContribution(markdown).find((candidate) => candidate.code === 'us-spelling');
    assert.equal(markdown.split('\n')[(problem?.line ?? 0) - 1], 'Our organization.');
  });
});
