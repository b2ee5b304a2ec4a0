import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { InputError, NotFoundError } from '../errors/index.js';
import { boundedJson, boundedText, protocolError, toolError } from './tool-output.js';

describe('boundedJson', () => {
  test('keeps a value that fits whole, wrapping a list as items', () => {
    assert.deepEqual(boundedJson([1, 2], 100, 'narrow'), { text: '{"items":[1,2]}', structured: { items: [1, 2] } });
    assert.deepEqual(boundedJson({ size: 3n }, 100, 'narrow').structured, { size: 3n });
    assert.equal(boundedJson({ size: 3n }, 100, 'narrow').text, '{"size":"3"}');
  });

  test('drops items from the end of a long list and says how many it shows and how to narrow', () => {
    const items = Array.from({ length: 500 }, (_, index) => ({ name: `service-${index}`, tier: 1 }));
    const bounded = boundedJson({ items }, 2_000, 'Filter by tier or team.');
    assert.ok(bounded.text.length <= 2_000);
    const parsed = JSON.parse(bounded.text) as {
      items: unknown[];
      truncated: { shown: number; total: number; message: string };
    };
    assert.equal(parsed.items.length, parsed.truncated.shown);
    assert.equal(parsed.truncated.total, 500);
    assert.ok(parsed.truncated.shown > 10);
    assert.match(
      parsed.truncated.message,
      /^Only the first \d+ of 500 items fit in 2,000 characters\. Filter by tier or team\.$/,
    );
    assert.deepEqual(bounded.structured, parsed);
  });

  test('cuts anything else and drops its structured form', () => {
    const bounded = boundedJson({ note: 'x'.repeat(5_000) }, 1_000, 'Ask for less.');
    assert.equal(bounded.structured, undefined);
    assert.ok(bounded.text.length <= 1_000);
    assert.match(bounded.text, /\[truncated: 5,011 characters, over the limit of 1,000\. Ask for less\.\]$/);
  });
});

describe('boundedText', () => {
  test('leaves short text alone and cuts long text with a note', () => {
    assert.equal(boundedText('# Title', 100, 'narrow'), '# Title');
    const cut = boundedText('y'.repeat(300), 200, 'Ask for one entry.');
    assert.equal(cut.length, 200);
    assert.match(cut, /Ask for one entry\.\]$/);
  });
});

describe('tool errors', () => {
  test('give a coded error its code, message and details', () => {
    const seen: unknown[] = [];
    const result = toolError(
      new InputError('invalid change', { details: [{ path: 'plannedWindow', message: 'is required' }] }),
      1_000,
      (error) => seen.push(error),
    );
    assert.deepEqual(result, {
      isError: true,
      content: [{ type: 'text', text: 'SRE_INPUT_INVALID: invalid change\n- plannedWindow: is required' }],
    });
    assert.deepEqual(seen, []);
  });

  test('hide the message of anything unexpected and report it', () => {
    const seen: unknown[] = [];
    const failure = new Error('SQLITE_ERROR: no such column: secret_hash');
    const result = toolError(failure, 1_000, (error) => seen.push(error));
    assert.equal(result.isError, true);
    assert.doesNotMatch(JSON.stringify(result), /secret_hash/);
    assert.deepEqual(seen, [failure]);
  });

  test('become invalid-params protocol errors for unknown names in resources and prompts', () => {
    const error = protocolError(new NotFoundError('no change CHG-404'), () => {});
    assert.equal(error.code, ErrorCode.InvalidParams);
    assert.match(error.message, /SRE_NOT_FOUND: no change CHG-404/);
    assert.equal(protocolError(new Error('boom'), () => {}).code, ErrorCode.InternalError);
  });
});
