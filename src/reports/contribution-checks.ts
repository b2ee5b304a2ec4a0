/**
 * Deterministic checks every contribution must pass, whoever wrote it (a generator or a model):
 *
 * - `missing-section`: every section {@link REQUIRED_SECTIONS} names for the kind, plus Sources, is a `## ` heading.
 *   The kind comes from the argument or from the `- Kind: …` line the renderer writes.
 * - `us-spelling`: common US spellings (organization, analyze, behavior, center, catalog, defense, canceled,
 *   modeling, fulfill, enroll, …), matched as whole words without regard to case. `license` is flagged only where it
 *   is plainly a noun (after an article or determiner, or before holder, fee, key, number, agreement, terms), and
 *   `program` only in the sense of a plan of work (after testing, resilience, remediation and the like).
 * - `number-without-unit`: a number in prose must say what it counts. It passes when it is followed by `%`, `×` or
 *   a word that is not a function word (`30 minutes`, `3 approvals`, `2 important business services`), when a
 *   letter is attached to it (`5m`, `300ms`, `15A`, `p99`, `SEV1`), or when it is part of an identifier, date,
 *   time, version or legal reference: joined to letters or to `-`, `/`, `:` or `.` (`INC-1`, `2026-03-10`,
 *   `09:00`, `2024/1774`, `6.5.1`), a year from 1900 to 2099, a paragraph in brackets (`(3)`), or preceded by a label
 *   word (tier, step, Art, section, requirement, control, principle, …) or a standard's or currency's code
 *   (`SOC 2`, `ISO 27001`, `GBP 250`). A number joined to such a one by `and`, `or`, `to`, a comma or a dash inherits its pass. Ranges
 *   such as `15–30 minutes` are one number.
 * - `sign-off`: the last line (a final newline allowed) is exactly {@link SIGN_OFF}.
 *
 * Spelling and number checks skip fenced code blocks, inline code, URLs, link targets, HTML comments, and text in
 * typographic quotes (“…”), which reproduces someone else's words as written.
 * @module
 */
import {
  CONTRIBUTION_KINDS,
  type ContributionKind,
  REQUIRED_SECTIONS,
  SIGN_OFF,
  SOURCES_HEADING,
} from './contribution.js';

export type ContributionProblemCode =
  | 'unknown-kind'
  | 'missing-section'
  | 'us-spelling'
  | 'number-without-unit'
  | 'sign-off';

export interface ContributionProblem {
  readonly code: ContributionProblemCode;
  /** 1-based line in the Markdown. */
  readonly line: number;
  readonly message: string;
}

export function checkContribution(markdown: string, kind?: ContributionKind): ContributionProblem[] {
  const lines = markdown.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const problems: ContributionProblem[] = [];
  problems.push(...sectionProblems(lines, kind ?? kindOf(lines)));
  for (const { line, text } of proseLines(lines)) {
    problems.push(...spellingProblems(text, line), ...numberProblems(text, line));
  }
  const last = lines.at(-1);
  if (last !== SIGN_OFF) {
    problems.push({
      code: 'sign-off',
      line: Math.max(1, lines.length),
      message: `the last line must be exactly "${SIGN_OFF}", not ${last === undefined ? 'nothing' : JSON.stringify(last)}`,
    });
  }
  return problems;
}

function kindOf(lines: ReadonlyArray<string>): ContributionKind | undefined {
  for (const line of lines) {
    const match = /^- Kind: (\S+)\s*$/.exec(line);
    const found = CONTRIBUTION_KINDS.find((candidate) => candidate === match?.[1]);
    if (found !== undefined) return found;
  }
  return undefined;
}

function sectionProblems(lines: ReadonlyArray<string>, kind: ContributionKind | undefined): ContributionProblem[] {
  if (kind === undefined) {
    return [
      {
        code: 'unknown-kind',
        line: 1,
        message: 'no "- Kind: service|ibs|change|incident" line, so the required sections are unknown',
      },
    ];
  }
  const headings = new Set(lines.flatMap((line) => /^##\s+(.+?)\s*$/.exec(line)?.[1] ?? []));
  const required = [...REQUIRED_SECTIONS[kind].map((spec) => spec.heading), SOURCES_HEADING];
  return required
    .filter((heading) => !headings.has(heading))
    .map((heading) => ({
      code: 'missing-section',
      line: 1,
      message: `a ${kind} contribution needs a "## ${heading}" section`,
    }));
}

interface ProseLine {
  readonly line: number;
  readonly text: string;
}

/** The lines to check, with code, URLs, quotations and Markdown markup blanked out. */
function proseLines(lines: ReadonlyArray<string>): ProseLine[] {
  const prose: ProseLine[] = [];
  let fence: string | undefined;
  let comment = false;
  lines.forEach((raw, index) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence !== undefined) {
      if (opening !== undefined && opening[0] === fence[0] && opening.length >= fence.length) fence = undefined;
      return;
    }
    if (opening !== undefined) {
      fence = opening;
      return;
    }
    let text = raw;
    if (comment) {
      const end = text.indexOf('-->');
      if (end < 0) return;
      comment = false;
      text = text.slice(end + 3);
    }
    text = text.replace(/<!--[\s\S]*?-->/g, ' ');
    const open = text.indexOf('<!--');
    if (open >= 0) {
      comment = true;
      text = text.slice(0, open);
    }
    if (/^\s*\|?[\s:|-]+\|[\s:|-]*$/.test(text)) return;
    text = text
      .replace(/(`+)[\s\S]*?\1/g, ' code ')
      .replace(/\]\([^)]*\)/g, ']')
      .replace(/\b(?:https?|ftp):\/\/\S+/gi, ' url ')
      .replace(/“[^”]*”/g, ' quote ')
      .replace(/^\s{0,3}#{1,6}\s+/, '')
      .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '');
    prose.push({ line: index + 1, text });
  });
  return prose;
}

interface SpellingRule {
  readonly pattern: RegExp;
  readonly uk: (match: RegExpExecArray) => string;
  /** The capture group holding the US word, when the pattern also matches its context. */
  readonly group?: number;
}

const IZE_STEMS =
  'organi|reorgani|prioriti|recogni|reali|utili|minimi|maximi|summari|standardi|authori|categori|optimi|customi|normali|synchroni|apologi|emphasi|speciali|finali|visuali|centrali|stabili|moneti|itemi|critici|characteri|memori|mobili|moderni|locali|globali|harmoni|legali|penali|jeopardi|capitali|digiti|saniti|randomi|parameteri|containeri|operationali|industriali|formali|neutrali|amorti';

const SPELLING_RULES: ReadonlyArray<SpellingRule> = [
  {
    pattern: new RegExp(`\\b(${IZE_STEMS})z(e|es|ed|ing|ation|ations|er|ers)\\b`, 'gi'),
    uk: (match) => `${match[1]}s${match[2]}`,
  },
  { pattern: /\b(analy|paraly|cataly)z(e|es|ed|ing|er|ers)\b/gi, uk: (match) => `${match[1]}s${match[2]}` },
  {
    pattern:
      /\b(behavi|col|fav|hon|lab|neighb|flav|hum|rum|harb|vap|endeav|arm|sav|val|clam|splend|rig)or(s|ed|ing|al|ally|able|ably|ite|ites|hood|ful)?\b/gi,
    uk: (match) => `${match[1]}our${match[2] ?? ''}`,
  },
  {
    pattern: /\b(cent|theat|fib|lit|somb|calib|spect|lust|sab|meag)er(s|ed|ing)?\b/gi,
    uk: (match) => `${match[1]}r${{ s: 'es', ed: 'ed', ing: 'ing' }[match[2] ?? ''] ?? 'e'}`,
  },
  { pattern: /\b(defen|offen|preten)se(s)?\b/gi, uk: (match) => `${match[1]}ce${match[2] ?? ''}` },
  {
    pattern: /\bcatalog(s|ed|ing)?\b/gi,
    uk: (match) => `catalogu${{ s: 'es', ed: 'ed', ing: 'ing' }[match[1] ?? ''] ?? 'e'}`,
  },
  {
    pattern:
      /\b(cancel|label|model|travel|signal|fuel|level|total|channel|tunnel|counsel|marshal|panel|equal|initial|dial|shovel|jewel|rival)(ed|ing|er|ers)\b/gi,
    uk: (match) => `${match[1]}l${match[2]}`,
  },
  { pattern: /\bcancelation(s)?\b/gi, uk: (match) => `cancellation${match[1] ?? ''}` },
  { pattern: /\b(fulfi|enro|disti|insti)ll(s|ment|ments)?\b/gi, uk: (match) => `${match[1]}l${match[2] ?? ''}` },
  { pattern: /\b(skill|will)ful(ly)?\b/gi, uk: (match) => `${(match[1] ?? '').slice(0, -1)}ful${match[2] ?? ''}` },
  { pattern: /\binstallment(s)?\b/gi, uk: (match) => `instalment${match[1] ?? ''}` },
  { pattern: /\backnowledgment(s)?\b/gi, uk: (match) => `acknowledgement${match[1] ?? ''}` },
  { pattern: /\bartifact(s)?\b/gi, uk: (match) => `artefact${match[1] ?? ''}` },
  { pattern: /\bgray(s|er|est|ed|ing)?\b/gi, uk: (match) => `grey${match[1] ?? ''}` },
  { pattern: /\bpercent\b/gi, uk: () => 'per cent' },
  { pattern: /\bpractic(ed|ing)\b/gi, uk: (match) => `practis${match[1]}` },
  { pattern: /\b(?:to|must|should|will|we|they|you)\s+(practice)\b/gi, uk: () => 'practise (the verb)', group: 1 },
  {
    pattern:
      /\b(?:a|an|the|this|that|our|your|their|its|his|her|software|driving|banking|operating|open-source|e-money)\s+(licenses?)\b/gi,
    uk: (match) => `licence${match[1]?.endsWith('s') === true ? 's' : ''} (the noun)`,
    group: 1,
  },
  {
    pattern:
      /\b(licenses?)\s+(?:holder|holders|fee|fees|key|keys|number|numbers|agreement|agreements|terms|conditions|expiry)\b/gi,
    uk: (match) => `licence${match[1]?.endsWith('s') === true ? 's' : ''} (the noun)`,
    group: 1,
  },
  {
    pattern:
      /\b(?:testing|test|resilience|remediation|improvement|training|compliance|audit|transformation|assurance|recovery|awareness|investment|migration|modernisation)\s+(programs?)\b/gi,
    uk: (match) => `programme${match[1]?.endsWith('s') === true ? 's' : ''} (a plan of work)`,
    group: 1,
  },
  {
    pattern: /\b(programs?)\s+of\s+(?:work|tests|testing|change|changes|improvement|improvements|activities)\b/gi,
    uk: (match) => `programme${match[1]?.endsWith('s') === true ? 's' : ''} (a plan of work)`,
    group: 1,
  },
];

function spellingProblems(text: string, line: number): ContributionProblem[] {
  const problems: ContributionProblem[] = [];
  for (const rule of SPELLING_RULES) {
    rule.pattern.lastIndex = 0;
    for (let match = rule.pattern.exec(text); match !== null; match = rule.pattern.exec(text)) {
      const word = rule.group === undefined ? match[0] : (match[rule.group] ?? match[0]);
      problems.push({ code: 'us-spelling', line, message: `US spelling "${word}": write "${rule.uk(match)}"` });
    }
  }
  return problems;
}

const LABELS = new Set([
  'tier',
  'tiers',
  'step',
  'steps',
  'stage',
  'phase',
  'level',
  'severity',
  'priority',
  'version',
  'release',
  'art',
  'arts',
  'article',
  'articles',
  'section',
  'sections',
  'requirement',
  'requirements',
  'req',
  'control',
  'controls',
  'annex',
  'part',
  'chapter',
  'rule',
  'rules',
  'principle',
  'principles',
  'field',
  'fields',
  'paragraph',
  'clause',
  'recital',
  'schedule',
  'table',
  'figure',
  'appendix',
  'question',
  'option',
  'line',
  'column',
  'row',
  'no',
  'number',
  'batch',
  '§',
]);

/** Standards, rulebooks and currencies whose codes come before a number: `ISO 27001`, `SOC 2`, `GBP 250`. */
const CODES = new Set([
  'ISO',
  'IEC',
  'SOC',
  'DSS',
  'PCI',
  'SYSC',
  'SUP',
  'PRIN',
  'DORA',
  'GDPR',
  'NIS',
  'RTS',
  'RFC',
  'PSD',
  'CTPS',
  'ITGC',
  'OJ',
  'GBP',
  'EUR',
  'USD',
  'CHF',
  'JPY',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'HUF',
]);

const FUNCTION_WORDS = new Set([
  'a',
  'about',
  'above',
  'across',
  'after',
  'again',
  'against',
  'all',
  'also',
  'although',
  'an',
  'and',
  'any',
  'are',
  'as',
  'at',
  'be',
  'because',
  'been',
  'before',
  'being',
  'below',
  'between',
  'both',
  'but',
  'by',
  'can',
  'could',
  'did',
  'do',
  'does',
  'during',
  'each',
  'either',
  'else',
  'every',
  'for',
  'from',
  'had',
  'has',
  'have',
  'he',
  'her',
  'here',
  'his',
  'how',
  'i',
  'if',
  'in',
  'into',
  'is',
  'it',
  'its',
  'less',
  'may',
  'might',
  'more',
  'most',
  'must',
  'near',
  'neither',
  'nor',
  'not',
  'of',
  'on',
  'onto',
  'or',
  'our',
  'over',
  'shall',
  'she',
  'should',
  'since',
  'so',
  'than',
  'that',
  'the',
  'their',
  'them',
  'then',
  'there',
  'these',
  'they',
  'this',
  'those',
  'though',
  'through',
  'to',
  'too',
  'under',
  'until',
  'up',
  'upon',
  'via',
  'vs',
  'was',
  'we',
  'were',
  'when',
  'where',
  'whether',
  'which',
  'while',
  'who',
  'whose',
  'why',
  'will',
  'with',
  'within',
  'without',
  'would',
  'yet',
  'you',
  'your',
]);

const CONNECTORS = /^\s*(?:,|and|or|to|&|–|-|or\s+more\s+than)\s*$/i;
const DETERMINERS = /^\s+of\s+(?:the|its|their|these|those|our|your|his|her|them|which|each)\b/i;
const NUMBER = /\d+(?:,\d{3})*(?:\.\d+)*(?:[–-]\d+(?:,\d{3})*(?:\.\d+)*)?/g;
const JOINED_BEFORE = /[\p{L}\p{N}_\-–−/:.#+@£€$\\]/u;

type Verdict = 'unit' | 'exempt' | 'label' | 'bare';

function numberProblems(text: string, line: number): ContributionProblem[] {
  const problems: ContributionProblem[] = [];
  let previous: { readonly end: number; readonly verdict: Verdict } | undefined;
  NUMBER.lastIndex = 0;
  for (let match = NUMBER.exec(text); match !== null; match = NUMBER.exec(text)) {
    const start = match.index;
    const end = start + match[0].length;
    let verdict = judge(text, match[0], start, end);
    if (
      verdict === 'bare' &&
      previous !== undefined &&
      previous.verdict !== 'bare' &&
      CONNECTORS.test(text.slice(previous.end, start))
    ) {
      verdict = previous.verdict;
    }
    if (verdict === 'bare') {
      problems.push({
        code: 'number-without-unit',
        line,
        message: `"${match[0]}" has no unit: say what it counts or measures (${excerpt(text, start, end)})`,
      });
    }
    previous = { end, verdict };
  }
  return problems;
}

function judge(text: string, token: string, start: number, end: number): Verdict {
  const before = text[start - 1] ?? '';
  const after = text[end] ?? '';
  const rest = text.slice(end);
  if (before === '(' && after === ')') return 'exempt';
  if (before !== '' && JOINED_BEFORE.test(before)) return 'exempt';
  if (/^[\p{L}%×‰°'’(]/u.test(after)) return 'unit';
  if (/^[/:]/.test(after)) return 'exempt';
  if (/^[-–.][\p{L}\p{N}]/u.test(rest)) return 'exempt';
  if (/^(?:19|20)\d\d$/.test(token)) return 'exempt';
  const previousWord = /(§|[\p{L}][\p{L}.]*)\s+$/u.exec(text.slice(0, start))?.[1];
  if (previousWord !== undefined) {
    const bare = previousWord.replace(/\.$/, '');
    if (LABELS.has(bare.toLowerCase()) || CODES.has(bare)) return 'label';
  }
  const next =
    /^\s+(?:(?:more|fewer|less|extra|further|other|additional)\s+(?=[\p{L}]))?([×%‰]|[\p{L}][\p{L}'’-]*)/u.exec(rest);
  if (next === null) return 'bare';
  const word = next[1] ?? '';
  // "and 3 more" closes a list: the number counts the items already named.
  if (/^(?:more|others)$/i.test(word) && !/^\s+[\p{L}]/u.test(rest.slice(next[0].length))) return 'unit';
  if (/^[×%‰]$/.test(word)) return 'unit';
  const lower = word.toLowerCase();
  if (lower === 'of' && DETERMINERS.test(rest)) return 'unit';
  if (/^(?:and|or|to|of|in|by)$/.test(lower) && /^\s+\S+\s+\d/.test(rest)) return 'exempt';
  return FUNCTION_WORDS.has(lower) ? 'bare' : 'unit';
}

function excerpt(text: string, start: number, end: number): string {
  const from = Math.max(0, start - 30);
  const to = Math.min(text.length, end + 30);
  return `${from > 0 ? '…' : ''}${text.slice(from, to).trim()}${to < text.length ? '…' : ''}`;
}
