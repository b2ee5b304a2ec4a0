/**
 * The Prometheus text exposition format 0.0.4, read into samples, and the metric selectors (a metric name with
 * optional label matchers, no PromQL) that pick counters out of them.
 * @module
 */
import { assertNever } from '../errors/index.js';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface TextSample {
  readonly name: string;
  /** Own properties only: read with `labelValue`, which treats an absent label as empty, as Prometheus does. */
  readonly labels: Readonly<Record<string, string>>;
  /** NaN and ±Infinity as the exposition spelt them. */
  readonly value: number;
  /** Milliseconds since the epoch, when the line carried a timestamp. */
  readonly timestampMs: number | undefined;
  /** The family's TYPE: a `_bucket`, `_count` or `_sum` sample takes its histogram's or summary's. */
  readonly type: MetricType;
}

export interface TextParseError {
  /** 1-based. */
  readonly line: number;
  readonly message: string;
}

export type TextParseResult =
  | { readonly ok: true; readonly samples: ReadonlyArray<TextSample> }
  | { readonly ok: false; readonly error: TextParseError };

export type MatchOperator = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly label: string;
  readonly op: MatchOperator;
  readonly value: string;
  /** The anchored pattern of `=~` and `!~`. */
  readonly pattern: RegExp | undefined;
}

export interface MetricSelector {
  readonly name: string;
  readonly matchers: ReadonlyArray<LabelMatcher>;
}

export type SelectorParseResult =
  | { readonly ok: true; readonly selector: MetricSelector }
  | { readonly ok: false; readonly message: string };

const METRIC_TYPES: ReadonlySet<string> = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const METRIC_NAME_START = /[a-zA-Z_:]/;
const METRIC_NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_NAME_START = /[a-zA-Z_]/;
const LABEL_NAME_CHAR = /[a-zA-Z0-9_]/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;
const INTEGER = /^[+-]?\d+$/;
const FAMILY_SUFFIX = /_(?:bucket|count|sum)$/;

/** Reads a whole exposition; the first malformed line fails it, with its number. */
export function parsePrometheusText(text: string): TextParseResult {
  const samples: TextSample[] = [];
  const types = new Map<string, MetricType>();
  const helped = new Set<string>();
  const sampled = new Set<string>();
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const cursor = new Cursor(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    try {
      cursor.skipBlanks();
      if (cursor.atEnd()) continue;
      if (cursor.peek() === '#') {
        metadataLine(cursor, types, helped, sampled);
        continue;
      }
      const sample = sampleLine(cursor, types);
      sampled.add(sample.name);
      samples.push(sample);
    } catch (error: unknown) {
      if (error instanceof SyntaxProblem) return { ok: false, error: { line: index + 1, message: error.message } };
      throw error;
    }
  }
  return { ok: true, samples };
}

/**
 * Reads `name`, `name{label="v", label!="v", label=~"re", label!~"re"}`. Label values are PromQL strings (double,
 * single or back quotes); patterns are anchored at both ends and `.` matches a newline, as in Prometheus 3.
 */
export function parseSelector(text: string): SelectorParseResult {
  const cursor = new Cursor(text);
  try {
    cursor.skipSpace();
    const name = cursor.read(METRIC_NAME_START, METRIC_NAME_CHAR);
    if (name === '') cursor.fail('a selector starts with a metric name');
    const matchers: LabelMatcher[] = [];
    cursor.skipSpace();
    if (cursor.peek() === '{') {
      cursor.next();
      for (;;) {
        cursor.skipSpace();
        if (cursor.peek() === '}') break;
        matchers.push(matcherOf(cursor));
        cursor.skipSpace();
        if (cursor.peek() === ',') cursor.next();
        else if (cursor.peek() !== '}') cursor.fail('expected "," or "}" after a matcher');
      }
      cursor.next();
      cursor.skipSpace();
    }
    if (!cursor.atEnd()) cursor.fail('unexpected text after the selector (PromQL functions and ranges do not apply)');
    return { ok: true, selector: { name, matchers } };
  } catch (error: unknown) {
    if (error instanceof SyntaxProblem) return { ok: false, message: error.message };
    throw error;
  }
}

/** A label's value, empty when the sample has no such label; `__name__` is the metric name. */
export function labelValue(sample: Pick<TextSample, 'name' | 'labels'>, label: string): string {
  if (label === '__name__') return sample.name;
  return Object.hasOwn(sample.labels, label) ? (sample.labels[label] ?? '') : '';
}

export function matchesSelector(selector: MetricSelector, sample: Pick<TextSample, 'name' | 'labels'>): boolean {
  if (sample.name !== selector.name) return false;
  return selector.matchers.every((matcher) => {
    const value = labelValue(sample, matcher.label);
    switch (matcher.op) {
      case '=':
        return value === matcher.value;
      case '!=':
        return value !== matcher.value;
      case '=~':
        return matcher.pattern?.test(value) === true;
      case '!~':
        return matcher.pattern?.test(value) !== true;
      default:
        return assertNever(matcher.op, 'match operator');
    }
  });
}

/** The label value escaping of the format: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));
}

class SyntaxProblem extends Error {}

class Cursor {
  position = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string {
    return this.text[this.position] ?? '';
  }

  next(): string {
    const char = this.peek();
    this.position += 1;
    return char;
  }

  skipBlanks(): boolean {
    const start = this.position;
    while (this.peek() === ' ' || this.peek() === '\t') this.position += 1;
    return this.position > start;
  }

  skipSpace(): void {
    while (/^\s$/.test(this.peek())) this.position += 1;
  }

  read(start: RegExp, rest: RegExp): string {
    const from = this.position;
    if (!start.test(this.peek())) return '';
    this.position += 1;
    while (!this.atEnd() && rest.test(this.peek())) this.position += 1;
    return this.text.slice(from, this.position);
  }

  /** Up to the next blank or the end of the line. */
  token(): string {
    const from = this.position;
    while (!this.atEnd() && this.peek() !== ' ' && this.peek() !== '\t') this.position += 1;
    return this.text.slice(from, this.position);
  }

  take(count: number): string {
    const taken = this.text.slice(this.position, this.position + count);
    this.position += taken.length;
    return taken;
  }

  rest(): string {
    const rest = this.text.slice(this.position);
    this.position = this.text.length;
    return rest;
  }

  fail(message: string): never {
    const found = this.atEnd() ? 'the end' : JSON.stringify(this.peek());
    throw new SyntaxProblem(`${message}; found ${found} at column ${this.position + 1}`);
  }
}

function metadataLine(
  cursor: Cursor,
  types: Map<string, MetricType>,
  helped: Set<string>,
  sampled: ReadonlySet<string>,
): void {
  cursor.next();
  cursor.skipBlanks();
  const keyword = cursor.token();
  if ((keyword !== 'HELP' && keyword !== 'TYPE') || !cursor.skipBlanks()) return;
  const name = cursor.read(METRIC_NAME_START, METRIC_NAME_CHAR);
  if (name === '') cursor.fail(`${keyword} names a metric`);
  if (!cursor.atEnd() && !cursor.skipBlanks()) cursor.fail(`${keyword} puts a blank after the metric name`);
  // A bare "# TYPE name" says nothing, which the Prometheus parser accepts too.
  if (cursor.atEnd()) return;
  if (keyword === 'HELP') {
    if (helped.has(name)) throw new SyntaxProblem(`a second HELP line for ${name}`);
    helped.add(name);
    unescapeHelp(cursor.rest());
    return;
  }
  const type = cursor.token();
  if (!METRIC_TYPES.has(type)) {
    throw new SyntaxProblem(
      `${JSON.stringify(type)} is not a metric type: counter, gauge, histogram, summary or untyped`,
    );
  }
  cursor.skipBlanks();
  if (!cursor.atEnd()) cursor.fail('unexpected text after the metric type');
  if (types.has(name)) throw new SyntaxProblem(`a second TYPE line for ${name}`);
  if (sampled.has(name)) throw new SyntaxProblem(`the TYPE line for ${name} comes after its samples`);
  types.set(name, type as MetricType);
}

function sampleLine(cursor: Cursor, types: ReadonlyMap<string, MetricType>): TextSample {
  const name = cursor.read(METRIC_NAME_START, METRIC_NAME_CHAR);
  if (name === '') cursor.fail('a sample line starts with a metric name');
  const labels: Array<readonly [string, string]> = [];
  const blankAfterName = cursor.skipBlanks();
  if (cursor.peek() === '{') {
    cursor.next();
    readLabels(cursor, labels);
    cursor.skipBlanks();
  } else if (!blankAfterName && !cursor.atEnd()) {
    cursor.fail('expected a blank or "{" after the metric name');
  }
  const valueText = cursor.token();
  if (valueText === '') cursor.fail('a sample needs a value');
  const value = parseSampleValue(valueText);
  if (value === undefined) throw new SyntaxProblem(`${JSON.stringify(valueText)} is not a sample value`);
  let timestampMs: number | undefined;
  if (cursor.skipBlanks() && !cursor.atEnd()) {
    const stamp = cursor.token();
    timestampMs = INTEGER.test(stamp) ? Number(stamp) : undefined;
    if (timestampMs === undefined || !Number.isSafeInteger(timestampMs)) {
      throw new SyntaxProblem(`${JSON.stringify(stamp)} is not a timestamp (whole milliseconds since the epoch)`);
    }
    cursor.skipBlanks();
  }
  if (!cursor.atEnd()) cursor.fail('unexpected text after the sample');
  // fromEntries defines own properties, so a label named __proto__ stays a label.
  return { name, labels: Object.fromEntries(labels), value, timestampMs, type: typeOf(name, types) };
}

function readLabels(cursor: Cursor, labels: Array<readonly [string, string]>): void {
  const seen = new Set<string>();
  for (;;) {
    cursor.skipBlanks();
    if (cursor.peek() === '}') {
      cursor.next();
      return;
    }
    const label = cursor.read(LABEL_NAME_START, LABEL_NAME_CHAR);
    if (label === '') cursor.fail('expected a label name or "}"');
    if (label === '__name__') throw new SyntaxProblem('the label name __name__ is reserved');
    if (seen.has(label)) throw new SyntaxProblem(`the label ${label} appears twice`);
    seen.add(label);
    cursor.skipBlanks();
    if (cursor.peek() !== '=') cursor.fail(`expected "=" after the label name ${label}`);
    cursor.next();
    cursor.skipBlanks();
    if (cursor.peek() !== '"') cursor.fail(`expected a double-quoted value for the label ${label}`);
    cursor.next();
    labels.push([label, labelValueText(cursor, label)]);
    cursor.skipBlanks();
    if (cursor.peek() === ',') cursor.next();
    else if (cursor.peek() !== '}') cursor.fail('expected "," or "}" after a label value');
  }
}

function labelValueText(cursor: Cursor, label: string): string {
  let value = '';
  for (;;) {
    if (cursor.atEnd()) throw new SyntaxProblem(`the value of the label ${label} has no closing quote`);
    const char = cursor.next();
    if (char === '"') return value;
    if (char !== '\\') {
      value += char;
      continue;
    }
    const escaped = cursor.next();
    if (escaped === 'n') value += '\n';
    else if (escaped === '\\' || escaped === '"') value += escaped;
    else {
      cursor.position -= 1;
      cursor.fail(`the value of the label ${label} has an escape other than \\\\, \\" or \\n`);
    }
  }
}

function unescapeHelp(text: string): void {
  for (let index = 0; index < text.length; index += 1) {
    if (text[index] !== '\\') continue;
    const escaped = text[index + 1];
    if (escaped !== '\\' && escaped !== 'n') {
      throw new SyntaxProblem(`HELP text has an escape other than \\\\ or \\n at column ${index + 1} of the text`);
    }
    index += 1;
  }
}

/** Go's float syntax as the format uses it: decimals, NaN and the infinities, case-insensitive. */
function parseSampleValue(text: string): number | undefined {
  if (DECIMAL.test(text)) return Number(text);
  const infinity = INFINITY.exec(text);
  if (infinity !== null) return infinity[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return text.toLowerCase() === 'nan' ? Number.NaN : undefined;
}

function typeOf(name: string, types: ReadonlyMap<string, MetricType>): MetricType {
  const own = types.get(name);
  if (own !== undefined) return own;
  if (FAMILY_SUFFIX.test(name)) {
    const family = types.get(name.replace(FAMILY_SUFFIX, ''));
    if (family === 'histogram' || family === 'summary') return family;
  }
  return 'untyped';
}

function matcherOf(cursor: Cursor): LabelMatcher {
  const label = cursor.read(LABEL_NAME_START, LABEL_NAME_CHAR);
  if (label === '') cursor.fail('expected a label name or "}"');
  cursor.skipSpace();
  let op: MatchOperator;
  const first = cursor.next();
  const second = cursor.peek();
  if (first === '=' && second === '~') op = '=~';
  else if (first === '!' && second === '=') op = '!=';
  else if (first === '!' && second === '~') op = '!~';
  else if (first === '=') op = '=';
  else {
    cursor.position -= 1;
    return cursor.fail(`expected "=", "!=", "=~" or "!~" after the label name ${label}`);
  }
  if (op.length === 2) cursor.next();
  cursor.skipSpace();
  const value = quoted(cursor);
  if (op === '=' || op === '!=') return { label, op, value, pattern: undefined };
  try {
    return { label, op, value, pattern: new RegExp(`^(?:${value})$`, 's') };
  } catch {
    throw new SyntaxProblem(`${JSON.stringify(value)} is not a regular expression (matcher on ${label})`);
  }
}

const STRING_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** A PromQL string: Go escapes inside double or single quotes, none inside back quotes. */
function quoted(cursor: Cursor): string {
  const quote = cursor.peek();
  if (quote !== '"' && quote !== "'" && quote !== '`') cursor.fail('expected a quoted label value');
  cursor.next();
  let value = '';
  for (;;) {
    if (cursor.atEnd()) throw new SyntaxProblem('a label value has no closing quote');
    const char = cursor.next();
    if (char === quote) return value;
    if (char !== '\\' || quote === '`') {
      if (char === '\n' && quote !== '`') cursor.fail('a quoted label value spans lines');
      value += char;
      continue;
    }
    const escaped = cursor.next();
    const simple = STRING_ESCAPES[escaped];
    if (simple !== undefined) {
      value += simple;
      continue;
    }
    const digits = escaped === 'x' ? 2 : escaped === 'u' ? 4 : escaped === 'U' ? 8 : 0;
    if (digits > 0) {
      const hex = cursor.take(digits);
      const code = hex.length === digits && /^[0-9a-fA-F]+$/.test(hex) ? Number.parseInt(hex, 16) : Number.NaN;
      // \x is a byte in Go; only its ASCII range is the same character here.
      if (code <= (escaped === 'x' ? 0x7f : 0x10ffff) && (code < 0xd800 || code > 0xdfff)) {
        value += String.fromCodePoint(code);
        continue;
      }
      throw new SyntaxProblem(`"\\${escaped}${hex}" is not a valid escape in a label value`);
    }
    cursor.position -= 1;
    cursor.fail('unknown escape sequence in a label value');
  }
}
