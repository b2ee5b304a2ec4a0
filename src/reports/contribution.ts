/**
 * The shape of a contribution, the SRE agent's written answer about one service, important business service,
 * change or incident, and its two renderings. The sign-off line is added here, by code, never by a generator or a
 * model.
 * @module
 */
import { localTime } from './format.js';
import { PERSONA_VERSION } from './persona.js';

export const CONTRIBUTION_KINDS = ['service', 'ibs', 'change', 'incident'] as const;
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number];

/** The exact last line of every contribution. */
export const SIGN_OFF = 'agent sre complete';

export interface ContributionTable {
  readonly columns: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<ReadonlyArray<string>>;
}

export interface ContributionSection {
  readonly id: string;
  readonly heading: string;
  readonly paragraphs: ReadonlyArray<string>;
  readonly bullets?: ReadonlyArray<string> | undefined;
  /** Render the bullets as numbered steps (a runbook, a procedure). */
  readonly numbered?: boolean | undefined;
  readonly table?: ContributionTable | undefined;
}

export interface Citation {
  /** The instrument and the place in it, such as `PCI DSS v4.0.1 requirement 6.5.1`. */
  readonly source: string;
  /** What it asks for, in our words. */
  readonly what: string;
}

export interface Contribution {
  readonly kind: ContributionKind;
  /** The catalogue name or identifier the contribution is about. */
  readonly subject: string;
  readonly title: string;
  /** The persona version it was written under, such as `sre-agent/1`. */
  readonly persona: string;
  readonly sections: ReadonlyArray<ContributionSection>;
  readonly citations: ReadonlyArray<Citation>;
  /** ISO 8601 UTC. */
  readonly generatedAt: string;
  /** IANA zone the times in the text are shown in. */
  readonly timeZone: string;
}

/** A contribution as JSON: the fields plus the sign-off. */
export interface ContributionDocument extends Contribution {
  readonly signOff: typeof SIGN_OFF;
}

export interface SectionSpec {
  readonly id: string;
  readonly heading: string;
}

/** The sections each kind must have, in order; the generators use these headings and the checker looks for them. */
export const REQUIRED_SECTIONS = {
  service: [
    { id: 'summary', heading: 'Summary' },
    { id: 'monitoring', heading: 'Monitoring and alerting' },
    { id: 'change-management', heading: 'Change management' },
    { id: 'deployment', heading: 'Deployment strategy' },
    { id: 'runbook', heading: 'Incident runbook' },
    { id: 'resilience', heading: 'Resilience and recovery' },
    { id: 'capacity', heading: 'Capacity' },
    { id: 'security', heading: 'Security monitoring' },
    { id: 'regulatory', heading: 'Regulatory mapping' },
  ],
  ibs: [
    { id: 'summary', heading: 'Summary' },
    { id: 'tolerance', heading: 'Impact tolerance' },
    { id: 'mapping', heading: 'Mapping' },
    { id: 'breach', heading: 'What would breach it' },
    { id: 'scenarios', heading: 'Scenario tests' },
    { id: 'regulatory', heading: 'Regulatory mapping' },
  ],
  change: [
    { id: 'summary', heading: 'Summary' },
    { id: 'risk', heading: 'Risk review' },
    { id: 'timing', heading: 'Timing and freezes' },
    { id: 'approvals', heading: 'Approvals' },
    { id: 'evidence', heading: 'Evidence' },
    { id: 'regulatory', heading: 'Regulatory effect' },
    { id: 'deployment', heading: 'Deployment and rollback' },
  ],
  incident: [
    { id: 'status', heading: 'Status' },
    { id: 'obligations', heading: 'Obligations and deadlines' },
    { id: 'responders', heading: 'Responders' },
    { id: 'next-actions', heading: 'Next actions' },
  ],
} as const satisfies Record<ContributionKind, ReadonlyArray<SectionSpec>>;

export const SOURCES_HEADING = 'Sources';

export type SectionId<Kind extends ContributionKind> = (typeof REQUIRED_SECTIONS)[Kind][number]['id'];

/** The heading of a required section, so generators cannot drift from what the checker expects. */
export function headingOf<Kind extends ContributionKind>(kind: Kind, id: SectionId<Kind>): string {
  const specs: ReadonlyArray<SectionSpec> = REQUIRED_SECTIONS[kind];
  const spec = specs.find((candidate) => candidate.id === id);
  if (spec === undefined) throw new RangeError(`no section ${id} for a ${kind} contribution`);
  return spec.heading;
}

/** Builds a section of `kind` by its id, taking the heading from {@link REQUIRED_SECTIONS}. */
export function section<Kind extends ContributionKind>(
  kind: Kind,
  id: SectionId<Kind>,
  content: Omit<ContributionSection, 'id' | 'heading'>,
): ContributionSection {
  return { id, heading: headingOf(kind, id), ...content };
}

export function renderMarkdown(contribution: Contribution): string {
  const lines: string[] = [
    `# ${contribution.title}`,
    '',
    `- Kind: ${contribution.kind}`,
    `- Subject: ${inlineCode(contribution.subject)}`,
    `- Generated: ${localTime(contribution.generatedAt, contribution.timeZone)}`,
    `- Persona: ${inlineCode(contribution.persona)}`,
  ];
  for (const part of contribution.sections) {
    lines.push('', `## ${part.heading}`);
    for (const paragraph of part.paragraphs) lines.push('', oneLine(paragraph));
    if (part.bullets !== undefined && part.bullets.length > 0) {
      lines.push('');
      part.bullets.forEach((bullet, index) => {
        lines.push(`${part.numbered === true ? `${index + 1}.` : '-'} ${oneLine(bullet)}`);
      });
    }
    if (part.table !== undefined && part.table.rows.length > 0) lines.push('', ...tableLines(part.table));
  }
  if (contribution.citations.length > 0) {
    lines.push('', `## ${SOURCES_HEADING}`, '');
    for (const citation of contribution.citations) lines.push(`- ${citation.source}: ${oneLine(citation.what)}`);
  }
  lines.push('', SIGN_OFF);
  return `${lines.join('\n')}\n`;
}

export function contributionDocument(contribution: Contribution): ContributionDocument {
  return { ...contribution, signOff: SIGN_OFF };
}

export function renderJson(contribution: Contribution): string {
  return `${JSON.stringify(contributionDocument(contribution), null, 2)}\n`;
}

/** Starts a contribution's common fields. */
export function contributionOf(
  fields: Omit<Contribution, 'persona' | 'generatedAt' | 'timeZone'>,
  now: Date,
  timeZone: string,
): Contribution {
  return { ...fields, persona: PERSONA_VERSION, generatedAt: now.toISOString(), timeZone };
}

function tableLines(table: ContributionTable): string[] {
  const row = (cells: ReadonlyArray<string>) => `| ${cells.map(cell).join(' | ')} |`;
  return [row(table.columns), `|${table.columns.map(() => '---').join('|')}|`, ...table.rows.map(row)];
}

function cell(text: string): string {
  return oneLine(text).replaceAll('|', '\\|');
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function inlineCode(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}
