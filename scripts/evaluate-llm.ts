/**
 * Grades an OpenAI-compatible model on the contribution scenarios under `test/fixtures/contributions/`: one request
 * per scenario with the generator's facts, graded leniently (the model's wording differs from the generators').
 *
 * `node .test-dist/scripts/evaluate-llm.js --llm URL [--model M] [--scenario NAME]`; exits 0 when every scenario
 * passes, 1 when any fails, 2 on bad arguments.
 * @module
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { withSignOff } from '../src/agent/ask.js';
import { type ChatOptions, chatCompletion } from '../src/agent/chat-completions.js';
import { PERSONA_MARKDOWN, REQUIRED_SECTIONS, SIGN_OFF } from '../src/reports/index.js';
import {
  catalogueFor,
  type Grade,
  generatorInputFor,
  gradeMarkdown,
  type LoadedScenario,
  loadScenarios,
  type Scenario,
} from '../test/support/contribution-scenarios.js';

/** The facts are cut here so one scenario cannot outgrow a small model's context. */
export const MAX_FACTS_CHARACTERS = 60_000;

export interface EvaluateOptions {
  /** The base URL, such as http://127.0.0.1:11434/v1. */
  readonly llm: string;
  readonly model: string;
  readonly apiKey?: string | undefined;
  /** Only the scenario with this folder name. */
  readonly scenario?: string | undefined;
  readonly timeoutMs?: number;
  readonly attempts?: number;
  readonly sleep?: ChatOptions['sleep'];
}

export type ScenarioOutcome =
  | ({ readonly name: string; readonly status: 'graded' } & Grade)
  | { readonly name: string; readonly status: 'unanswered'; readonly reason: string };

export type EvaluateResult =
  | { readonly ok: true; readonly outcomes: ReadonlyArray<ScenarioOutcome> }
  | { readonly ok: false; readonly reason: string };

/** The user message for a scenario: the kind, subject, required headings and the generator's facts as JSON. */
export function promptFor(scenario: Scenario, facts: unknown): string {
  const headings = [...REQUIRED_SECTIONS[scenario.kind].map((spec) => spec.heading), 'Sources'];
  const json = JSON.stringify(facts, null, 2);
  const cut =
    json.length > MAX_FACTS_CHARACTERS
      ? `${json.slice(0, MAX_FACTS_CHARACTERS)}\n[cut at ${MAX_FACTS_CHARACTERS} characters]`
      : json;
  return [
    `Write the ${scenario.kind} contribution about \`${scenario.subject}\`, as of ${scenario.now}, in Markdown.`,
    `Use exactly these section headings, in this order, each as a level-two heading (\`## \`): ${headings.join('; ')}.`,
    `Begin with a level-one title and the line \`- Kind: ${scenario.kind}\`. Use only the facts below, cite them under Sources, and end with the line \`${SIGN_OFF}\`.`,
    '',
    'Facts (JSON):',
    '```json',
    cut,
    '```',
  ].join('\n');
}

/** Asks the model for every scenario (or the one named) in turn and grades each answer. */
export async function evaluateScenarios(options: EvaluateOptions): Promise<EvaluateResult> {
  const all = loadScenarios();
  const chosen = options.scenario === undefined ? all : all.filter((loaded) => loaded.name === options.scenario);
  if (chosen.length === 0) {
    return {
      ok: false,
      reason: `no scenario ${options.scenario}; there are ${all.map((loaded) => loaded.name).join(', ')}`,
    };
  }
  const chat: ChatOptions = {
    baseUrl: options.llm,
    model: options.model,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs ?? 120_000,
    attempts: options.attempts ?? 3,
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  };
  const outcomes: ScenarioOutcome[] = [];
  for (const loaded of chosen) outcomes.push(await evaluateOne(loaded, chat));
  return { ok: true, outcomes };
}

async function evaluateOne({ name, folder, scenario }: LoadedScenario, chat: ChatOptions): Promise<ScenarioOutcome> {
  const facts = generatorInputFor(await catalogueFor(folder, scenario), scenario).input;
  const reply = await chatCompletion(
    chat,
    [
      { role: 'system', content: PERSONA_MARKDOWN },
      { role: 'user', content: promptFor(scenario, facts) },
    ],
    [],
  );
  if (!reply.ok) return { name, status: 'unanswered', reason: reply.reason };
  const markdown = withSignOff(reply.message.content ?? '', SIGN_OFF);
  return { name, status: 'graded', ...gradeMarkdown(markdown, scenario, { exact: false }) };
}

/** One line per scenario. */
export function describeOutcome(outcome: ScenarioOutcome): string {
  if (outcome.status === 'unanswered') return `failed  ${outcome.name}: no answer (${outcome.reason})`;
  const coverage = `coverage ${outcome.coverage.found}/${outcome.coverage.of}`;
  if (outcome.passed) return `passed  ${outcome.name} (${coverage})`;
  const shown = outcome.failures.slice(0, 3).join('; ');
  const more = outcome.failures.length > 3 ? ` (and ${outcome.failures.length - 3} more)` : '';
  return `failed  ${outcome.name} (${coverage}): ${shown}${more}`;
}

export function passedAll(outcomes: ReadonlyArray<ScenarioOutcome>): boolean {
  return outcomes.every((outcome) => outcome.status === 'graded' && outcome.passed);
}

const USAGE = 'usage: node .test-dist/scripts/evaluate-llm.js --llm URL [--model M] [--scenario NAME]\n';

async function main(argv: ReadonlyArray<string>): Promise<number> {
  let values: { llm?: string | undefined; model?: string | undefined; scenario?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { llm: { type: 'string' }, model: { type: 'string' }, scenario: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error: unknown) {
    process.stderr.write(`${error instanceof Error ? error.message : 'bad arguments'}\n${USAGE}`);
    return 2;
  }
  if (values.llm === undefined || !URL.canParse(values.llm)) {
    process.stderr.write(`--llm needs the model's base URL, such as http://127.0.0.1:11434/v1\n${USAGE}`);
    return 2;
  }
  const result = await evaluateScenarios({
    llm: values.llm,
    model: values.model ?? 'local-model',
    // The entry point is the one place that reads the environment.
    apiKey: process.env.SRE_AGENT_LLM_API_KEY,
    scenario: values.scenario,
  });
  if (!result.ok) {
    process.stderr.write(`${result.reason}\n${USAGE}`);
    return 2;
  }
  for (const outcome of result.outcomes) process.stdout.write(`${describeOutcome(outcome)}\n`);
  const passed = result.outcomes.filter((outcome) => outcome.status === 'graded' && outcome.passed).length;
  process.stdout.write(`${passed} of ${result.outcomes.length} scenarios passed\n`);
  return passedAll(result.outcomes) ? 0 : 1;
}

const entry = process.argv[1];
if (entry !== undefined && realpathSync(entry) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
