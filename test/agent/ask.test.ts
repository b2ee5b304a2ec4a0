import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, type TestContext, test } from 'node:test';
import { type AskTools, ask } from '../../src/agent/ask.js';

const SIGN_OFF = 'agent sre complete';

interface Turn {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Never answer. */
  readonly hang?: boolean;
}

/** A local server speaking the chat-completions protocol, answering each request with the next scripted turn. */
async function fakeModel(t: TestContext, turns: ReadonlyArray<Turn>) {
  const requests: Array<{ messages: Array<{ role: string; content: string | null }>; tools?: unknown[] }> = [];
  let index = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const turn = turns[Math.min(index, turns.length - 1)] ?? {};
      index += 1;
      if (turn.hang === true) return;
      response.writeHead(turn.status ?? 200, { 'content-type': 'application/json', ...turn.headers });
      response.end(JSON.stringify(turn.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { url: `http://127.0.0.1:${address.port}/v1`, requests };
}

const toolCall = (name: string, args: string) => ({
  choices: [
    {
      finish_reason: 'tool_calls',
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: `call-${name}`, type: 'function', function: { name, arguments: args } }],
      },
    },
  ],
});
const answer = (content: string) => ({ choices: [{ finish_reason: 'stop', message: { role: 'assistant', content } }] });

const budgetTool: AskTools = {
  list: async () => [
    {
      type: 'function',
      function: {
        name: 'slo_status',
        description: 'Error budget and burn rates of an SLO',
        parameters: { type: 'object', properties: { id: { type: 'string' } } },
      },
    },
  ],
  call: async (_name, args) => ({ ok: true, text: JSON.stringify({ asked: args, budgetRemaining: 0.42 }) }),
};

function options(url: string, overrides: { timeoutMs?: number; maxSteps?: number } = {}) {
  return {
    chat: {
      baseUrl: url,
      model: 'test-model',
      timeoutMs: overrides.timeoutMs ?? 2_000,
      attempts: 3,
      sleep: async () => {},
    },
    tools: budgetTool,
    persona: 'You are the SRE agent.',
    maxSteps: overrides.maxSteps ?? 6,
    deadlineMs: 10_000,
    signOff: SIGN_OFF,
  };
}

describe('ask', () => {
  test('calls a tool, gives the result back, and ends the answer with the sign-off exactly once', async (t) => {
    const model = await fakeModel(t, [
      { body: toolCall('slo_status', '{"id":"core-ledger-posting-availability"}') },
      { body: answer(`42 % of the error budget is left.\n\n${SIGN_OFF}\n${SIGN_OFF}`) },
    ]);
    const result = await ask('How much budget is left?', options(model.url));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.answer, `42 % of the error budget is left.\n\n${SIGN_OFF}\n`);
    assert.deepEqual(result.tools, [
      { name: 'slo_status', arguments: '{"id":"core-ledger-posting-availability"}', ok: true },
    ]);
    const second = model.requests[1];
    assert.equal(second?.messages.at(-1)?.role, 'tool');
    assert.match(second?.messages.at(-1)?.content ?? '', /"budgetRemaining":0.42/);
    assert.equal(model.requests[0]?.messages[0]?.role, 'system');
  });

  test('retries 429 (after Retry-After) and 500, then answers', async (t) => {
    const model = await fakeModel(t, [
      { status: 429, headers: { 'retry-after': '1' }, body: { error: { message: 'slow down' } } },
      { status: 500, body: { error: { message: 'oops' } } },
      { body: answer('All SLOs are within budget.') },
    ]);
    const result = await ask('Status?', options(model.url));
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(model.requests.length, 3);
  });

  test('malformed arguments and unknown tools are told to the model, which can recover', async (t) => {
    const model = await fakeModel(t, [
      { body: toolCall('slo_status', '{"id": oops') },
      { body: toolCall('drop_database', '{}') },
      { body: answer('I could not read the SLO.') },
    ]);
    const result = await ask('Status?', options(model.url));
    assert.ok(result.ok);
    assert.match(model.requests[1]?.messages.at(-1)?.content ?? '', /not valid JSON/);
    assert.match(model.requests[2]?.messages.at(-1)?.content ?? '', /no tool called drop_database/);
  });

  test('stops a model that loops, one that times out, and one that only ever calls tools', async (t) => {
    const looping = await fakeModel(t, [{ body: toolCall('slo_status', '{"id":"x"}') }]);
    const loop = await ask('Status?', options(looping.url));
    assert.equal(loop.ok, false);
    assert.match(loop.ok ? '' : loop.reason, /same arguments 3 times/);

    const silent = await fakeModel(t, [{ hang: true }]);
    const timedOut = await ask('Status?', { ...options(silent.url, { timeoutMs: 100 }) });
    assert.equal(timedOut.ok, false);
    assert.match(timedOut.ok ? '' : timedOut.reason, /did not answer within 100 ms/);

    const busy = await fakeModel(
      t,
      Array.from({ length: 10 }, (_, index) => ({ body: toolCall('slo_status', `{"id":"slo-${index}"}`) })),
    );
    const bounded = await ask('Status?', options(busy.url, { maxSteps: 4 }));
    assert.equal(bounded.ok, false);
    assert.match(bounded.ok ? '' : bounded.reason, /within 4 steps/);
  });

  test('a 400 is not retried, and a reply that is not a chat completion is refused', async (t) => {
    const refused = await fakeModel(t, [{ status: 400, body: { error: { message: 'bad model' } } }]);
    const result = await ask('Status?', options(refused.url));
    assert.equal(result.ok, false);
    assert.equal(refused.requests.length, 1);
    const odd = await fakeModel(t, [{ body: { hello: 'world' } }]);
    const oddResult = await ask('Status?', options(odd.url));
    assert.match(oddResult.ok ? '' : oddResult.reason, /not a chat completion/);
  });
});
