/**
 * Prometheus rule files: rule types, YAML rendering, and the number, duration and label formats Prometheus and Go
 * write, shared by the Sloth-compatible and the native generators.
 * @module
 */
import { Document } from 'yaml';

export interface RecordingRule {
  readonly kind: 'recording';
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface AlertingRule {
  readonly kind: 'alerting';
  readonly alert: string;
  readonly expr: string;
  /** Prometheus `for`, such as `2m`; absent to fire at once. */
  readonly for?: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval, such as `5m`; absent for Prometheus's global one. */
  readonly interval?: string | undefined;
  readonly rules: ReadonlyArray<RecordingRule | AlertingRule>;
}

type Labels = Readonly<Record<string, string>>;

const OMAP_TAG = 'tag:yaml.org,2002:omap';

/**
 * YAML text of a Prometheus rule file: the header lines as `#` comments, then `groups:`. Maps are written with
 * sorted keys and YAML 1.1-ambiguous strings (`yes`, `on`) quoted, as Go's YAML encoders do.
 * @param header - comment lines without the leading `#`
 */
export function renderRuleFile(groups: ReadonlyArray<RuleGroup>, header: ReadonlyArray<string>): string {
  const document = new Document(
    { groups: groups.map(yamlGroup) },
    // Maps keep the key order; without this the 1.1 schema would tag them `!!omap`.
    { version: '1.1', customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || tag.tag !== OMAP_TAG) },
  );
  const body = document.toString({ indentSeq: false, lineWidth: 0 });
  const comments = header.flatMap((line) => line.split(/\r?\n/)).map((line) => (line === '' ? '#' : `# ${line}`));
  return comments.length === 0 ? body : `${comments.join('\n')}\n\n${body}`;
}

function yamlGroup(group: RuleGroup): Map<string, unknown> {
  const entries: Array<[string, unknown]> = [['name', group.name]];
  if (group.interval !== undefined) entries.push(['interval', group.interval]);
  entries.push(['rules', group.rules.map(yamlRule)]);
  return new Map(entries);
}

function yamlRule(rule: RecordingRule | AlertingRule): Map<string, unknown> {
  const entries: Array<[string, unknown]> =
    rule.kind === 'recording' ? [['record', rule.record]] : [['alert', rule.alert]];
  entries.push(['expr', rule.expr]);
  if (rule.kind === 'alerting' && rule.for !== undefined) entries.push(['for', rule.for]);
  if (Object.keys(rule.labels).length > 0) entries.push(['labels', sortedMap(rule.labels)]);
  if (rule.kind === 'alerting' && Object.keys(rule.annotations).length > 0) {
    entries.push(['annotations', sortedMap(rule.annotations)]);
  }
  return new Map(entries);
}

function sortedMap(record: Labels): Map<string, string> {
  return new Map(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A number as Go's `strconv.FormatFloat(value, 'f', -1, 64)` writes it: the shortest digits that read back as the
 * same double, never in exponent notation. Sloth prints with `%g` in places, which matches this for the objectives,
 * budgets and factors real SLOs have but switches to an exponent below 1e-4; PromQL reads both.
 */
export function formatGoFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  const [mantissa = '0', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const integerDigits = Number(exponentText) + 1;
  if (integerDigits <= 0) return `${sign}0.${'0'.repeat(-integerDigits)}${digits}`;
  if (integerDigits >= digits.length) return `${sign}${digits}${'0'.repeat(integerDigits - digits.length)}`;
  return `${sign}${digits.slice(0, integerDigits)}.${digits.slice(integerDigits)}`;
}

/** Prometheus's `model.Duration.String()`: years and weeks only when exact, so 28 days is `4w` and 30 days `30d`. */
export function promDuration(milliseconds: number): string {
  if (milliseconds === 0) return '0s';
  const units = [
    ['y', 365 * 86_400_000, true],
    ['w', 7 * 86_400_000, true],
    ['d', 86_400_000, false],
    ['h', 3_600_000, false],
    ['m', 60_000, false],
    ['s', 1000, false],
    ['ms', 1, false],
  ] as const satisfies ReadonlyArray<readonly [string, number, boolean]>;
  let rest = milliseconds;
  let text = '';
  for (const [unit, size, exactOnly] of units) {
    if (exactOnly && rest % size !== 0) continue;
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}

/** Prometheus `LabelSet.String()`: sorted, `, `-separated, values quoted as Go's `%q` does. */
export function promFilter(labels: Labels): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${goQuote(value)}`);
  return `{${pairs.join(', ')}}`;
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

function goQuote(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what Go escapes.
  const escaped = value.replace(/[\u0000-\u001f\u007f\\"]/g, (character) => {
    const named = GO_ESCAPES[character];
    if (named !== undefined) return named;
    return `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `"${escaped}"`;
}

/** Later maps win, as Sloth's `MergeLabels`; `fromEntries` keeps a `__proto__` key as data. */
export function mergeLabels(...maps: ReadonlyArray<Labels>): Labels {
  return Object.fromEntries(maps.flatMap((map) => Object.entries(map)));
}
