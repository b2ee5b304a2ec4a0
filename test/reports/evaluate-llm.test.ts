import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, type TestContext, test } from 'node:test';
import { describeOutcome, evaluateScenarios, passedAll } from '../../scripts/evaluate-llm.js';
import { PERSONA_MARKDOWN, renderMarkdown, SIGN_OFF } from '../../src/reports/index.js';
import { catalogueFor, contributionFor, loadScenarios } from '../support/contribution-scenarios.js';

interface SeenRequest {
  readonly model: unknown;
  readonly tools: unknown;
  readonly messages: ReadonlyArray<{ readonly role: string; readonly content: string }>;
}

/** A scripted model on 127.0.0.1 that answers every chat completion with `answer(userMessage)`. */
async function fakeModel(
  t: TestContext,
  answer: (prompt: string) => string,
): Promise<{ url: string; seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body: SeenRequest = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      seen.push(body);
      const prompt = body.messages.find((message) => message.role === 'user')?.content ?? '';
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: answer(prompt) } }],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  if (address === null || typeof address === 'string') assert.fail('the fake model has no port');
  return { url: `http://127.0.0.1:${address.port}/v1`, seen };
}

/** What the deterministic generators write, keyed by kind and subject, without the sign-off line. */
async function deterministicAnswers(): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  for (const { folder, scenario } of loadScenarios()) {
    const markdown = renderMarkdown(contributionFor(await catalogueFor(folder, scenario), scenario));
    const lines = markdown.trimEnd().split('\n');
    assert.equal(lines.pop(), SIGN_OFF);
    answers.set(`${scenario.kind} ${scenario.subject}`, `${lines.join('\n')}\n`);
  }
  return answers;
}

const noSleep = async (): Promise<void> => {};

describe('evaluate-llm', () => {
  test('passes every scenario when the model writes what the generators write', async (t) => {
    const answers = await deterministicAnswers();
    const model = await fakeModel(t, (prompt) => {
      const named = /Write the (\w+) contribution about `([^`]+)`/.exec(prompt);
      return answers.get(`${named?.[1]} ${named?.[2]}`) ?? 'no such scenario';
    });

    const result = await evaluateScenarios({ llm: model.url, model: 'fake', attempts: 1, sleep: noSleep });

    if (!result.ok) assert.fail(result.reason);
    assert.equal(result.outcomes.length, answers.size);
    assert.ok(passedAll(result.outcomes), result.outcomes.map(describeOutcome).join('\n'));
    for (const outcome of result.outcomes) {
      assert.equal(outcome.status, 'graded');
      if (outcome.status === 'graded') assert.equal(outcome.coverage.found, outcome.coverage.of);
      assert.match(describeOutcome(outcome), /^passed {2}\S+ \(coverage \d+\/\d+\)$/);
    }
    assert.equal(model.seen.length, answers.size);
    for (const request of model.seen) {
      assert.equal(request.model, 'fake');
      assert.equal(request.tools, undefined);
      assert.deepEqual(
        request.messages.map((message) => message.role),
        ['system', 'user'],
      );
      assert.equal(request.messages[0]?.content, PERSONA_MARKDOWN);
      assert.match(request.messages[1]?.content ?? '', /```json\n\{/);
    }
  });

  test('fails a model that writes US spellings and no sections', async (t) => {
    const model = await fakeModel(t, () => 'The organization will analyze the behavior of the service.\n');
    const name = loadScenarios()[0]?.name;

    const result = await evaluateScenarios({ llm: model.url, model: 'fake', scenario: name, attempts: 1 });

    if (!result.ok) assert.fail(result.reason);
    assert.equal(result.outcomes.length, 1);
    assert.equal(passedAll(result.outcomes), false);
    const [outcome] = result.outcomes;
    if (outcome?.status !== 'graded') assert.fail('the model answered, so the answer is graded');
    assert.equal(outcome.passed, false);
    assert.ok(outcome.failures.some((failure) => failure.startsWith('missing-section')));
    assert.ok(outcome.failures.some((failure) => failure.startsWith('us-spelling')));
    assert.equal(outcome.coverage.found, 0);
    assert.match(describeOutcome(outcome), /^failed {2}/);
  });

  test('reports an unknown scenario without asking the model', async (t) => {
    const model = await fakeModel(t, () => '');

    const result = await evaluateScenarios({ llm: model.url, model: 'fake', scenario: 'no-such-scenario' });

    assert.equal(result.ok, false);
    assert.equal(model.seen.length, 0);
  });
});
