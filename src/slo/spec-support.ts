import { z } from 'zod';
import type { CatalogueProblem } from '../catalogue/types.js';
import type { FieldPath, YamlLocator } from '../catalogue/yaml-locator.js';
import { issueProblems, valueAt } from '../catalogue/zod-problems.js';

/** An SLO document as the catalogue found it, with the locator that turns a field path into file:line:column. */
export interface LocatedSpec {
  readonly locator: YamlLocator;
  readonly value: Readonly<Record<string, unknown>>;
}

export const WINDOW_PLACEHOLDER = '{{.window}}';

/** Prometheus label names, and values as plain strings. */
export const LabelsSchema = z.record(
  z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: 'label names are letters, digits and underscores' }),
  z.string(),
);

/** Prometheus alert names. */
export const ALERT_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Collects located problems for one document. */
export class ProblemSink {
  readonly problems: CatalogueProblem[] = [];

  constructor(
    readonly locator: YamlLocator,
    private readonly raw: unknown,
    private readonly knownFields: ReadonlySet<string>,
  ) {}

  zod(error: z.ZodError, prefix: FieldPath = []): void {
    // Issue paths are relative to the value parsed, which sits at `prefix` inside the document.
    const parsed = valueAt(this.raw, prefix);
    for (const issue of error.issues) {
      this.problems.push(...issueProblems(this.locator, issue, parsed, this.knownFields, prefix));
    }
  }

  add(code: CatalogueProblem['code'], path: FieldPath, message: string): void {
    this.problems.push(this.locator.problem(code, path, message));
  }
}

/** Every key of every object schema reachable from these, for "did you mean" suggestions. */
export function fieldNamesOf(...names: ReadonlyArray<string>): ReadonlySet<string> {
  return new Set(names);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
