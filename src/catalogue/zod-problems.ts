import type { z } from 'zod';
import { didYouMean } from './suggest.js';
import type { CatalogueProblem } from './types.js';
import type { FieldPath, YamlLocator } from './yaml-locator.js';

/**
 * Turns one Zod issue on a YAML document into located problems a person can act on: the key for an unknown field,
 * the value otherwise, the enclosing mapping for a missing field.
 */
export function issueProblems(
  locator: YamlLocator,
  issue: z.core.$ZodIssue,
  raw: unknown,
  knownFields: ReadonlySet<string>,
  prefix: FieldPath = [],
): CatalogueProblem[] {
  const path = [...prefix, ...issue.path];
  const present = valueAt(raw, issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) =>
      locator.problem('unknown-field', [...path, key], `unknown field "${key}"${didYouMean(key, knownFields)}`, true),
    );
  }
  if (present === undefined) {
    const field = path.at(-1);
    return [locator.problem('missing-field', path, `missing required field "${String(field)}"`)];
  }
  switch (issue.code) {
    case 'invalid_type':
      return [
        locator.problem(
          'wrong-type',
          path,
          `expected ${describeExpected(issue.expected)}, got ${describeValue(present)}`,
        ),
      ];
    case 'invalid_value':
      return [
        locator.problem(
          'invalid-value',
          path,
          `${JSON.stringify(present)} is not allowed: must be one of ${issue.values.map((v) => String(v)).join(', ')}`,
        ),
      ];
    case 'too_small':
      return [locator.problem('invalid-value', path, tooSmallMessage(issue))];
    default:
      return [locator.problem('invalid-value', path, issue.message)];
  }
}

function tooSmallMessage(issue: z.core.$ZodIssueTooSmall): string {
  if (issue.message !== '' && !issue.message.startsWith('Too small')) return issue.message;
  const minimum = String(issue.minimum);
  if (issue.origin === 'array') return `must have at least ${minimum} item${minimum === '1' ? '' : 's'}`;
  if (issue.origin === 'string') return 'must not be empty';
  return `must be ${issue.inclusive === true ? 'at least' : 'greater than'} ${minimum}`;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    default:
      return `a ${expected}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

export function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = raw;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isRecord(current) && typeof segment === 'string') current = current[segment];
    else return undefined;
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
