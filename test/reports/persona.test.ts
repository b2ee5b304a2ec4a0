import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { checkContribution, PERSONA_MARKDOWN, PERSONA_VERSION, SIGN_OFF } from '../../src/reports/index.js';
import { REPOSITORY_ROOT } from '../support/fixtures.js';

describe('persona', () => {
  test('docs/persona.md is exactly the text the code carries', () => {
    assert.equal(readFileSync(join(REPOSITORY_ROOT, 'docs', 'persona.md'), 'utf8'), PERSONA_MARKDOWN);
  });

  test('carries its version line', () => {
    assert.match(PERSONA_VERSION, /^sre-agent\/\d+$/);
    assert.ok(PERSONA_MARKDOWN.split('\n').includes(`persona: ${PERSONA_VERSION}`));
  });

  test('names the sign-off and every source the issue asks for', () => {
    assert.ok(PERSONA_MARKDOWN.includes(`\`${SIGN_OFF}\``));
    for (const source of [
      'DORA',
      '2024/1774',
      'PRA SS1/21',
      'SYSC 15A',
      'PCI DSS',
      'ISO/IEC 27001',
      'SOC 2',
      'Google',
    ]) {
      assert.ok(PERSONA_MARKDOWN.includes(source), source);
    }
  });

  test('is written in UK English with every number given its unit', () => {
    const problems = checkContribution(PERSONA_MARKDOWN, 'service').filter(
      (problem) => problem.code === 'us-spelling' || problem.code === 'number-without-unit',
    );
    assert.deepEqual(problems, []);
  });
});
