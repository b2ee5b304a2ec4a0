/**
 * Finds Debian's promtool and prometheus unpacked under `.tools/` by the test runner (or on PATH). Under CI a
 * missing tool fails the test that needs it; elsewhere the test is skipped and says why.
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPOSITORY_ROOT } from './fixtures.js';

const UNPACKED = join(REPOSITORY_ROOT, '.tools', 'prometheus', 'usr', 'bin');

function find(name: 'promtool' | 'prometheus'): string | undefined {
  const unpacked = join(UNPACKED, name);
  if (existsSync(unpacked)) return unpacked;
  for (const directory of (process.env.PATH ?? '').split(':')) {
    if (directory !== '' && existsSync(join(directory, name))) return join(directory, name);
  }
  return undefined;
}

/** The tool's path; skips the test (or fails it under CI) when it is missing. */
export function requireTool(t: TestContext, name: 'promtool' | 'prometheus'): string | undefined {
  const path = find(name);
  if (path !== undefined) return path;
  const message = `${name} not found: run the tests with "npm test", which unpacks Debian's prometheus package into .tools/`;
  if (process.env.CI === 'true') throw new Error(message);
  t.skip(message);
  return undefined;
}
