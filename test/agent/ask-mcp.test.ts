import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { ask } from '../../src/agent/ask.js';
import { mcpAskTools } from '../../src/agent/mcp-tools.js';
import { systemPrincipal } from '../../src/auth/index.js';
import { createMcpServer } from '../../src/mcp/index.js';
import { listenOnLoopback } from '../support/fixtures.js';
import { buildTestApp } from '../support/test-app.js';

test('ask gives a scripted model sre-agent’s MCP tools, read-only, and the tool reads real catalogue data', async (t) => {
  const app = await buildTestApp('sqlite');
  t.after(() => app.cleanup());
  const server = createMcpServer(
    { ...app.runtime, ledgerService: app.runtime.ledgerService },
    { principal: systemPrincipal('ask') },
  );
  const tools = await mcpAskTools(server);
  t.after(() => tools.close());

  const listed = await tools.list();
  const names = listed.map((tool) => tool.function.name);
  assert.ok(names.includes('catalogue_service'));
  assert.ok(!names.includes('incident_declare'), 'write tools stay off');

  const requests: Array<{ messages: Array<{ role: string; content: string | null }> }> = [];
  const model = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const body =
        requests.length === 1
          ? {
              choices: [
                {
                  finish_reason: 'tool_calls',
                  message: {
                    role: 'assistant',
                    content: null,
                    tool_calls: [
                      {
                        id: 'call-1',
                        type: 'function',
                        function: { name: 'catalogue_service', arguments: '{"name":"card-payments-gateway"}' },
                      },
                    ],
                  },
                },
              ],
            }
          : { choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: 'It is tier 1.' } }] };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  const origin = await listenOnLoopback(model, t);

  const result = await ask('What tier is the card payments gateway?', {
    chat: { baseUrl: `${origin}/v1`, model: 'scripted', timeoutMs: 5_000, attempts: 2 },
    tools,
    persona: 'You are the SRE agent.',
    maxSteps: 4,
    deadlineMs: 20_000,
    signOff: 'agent sre complete',
  });
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.answer, 'It is tier 1.\n\nagent sre complete\n');
  const toolReply = requests[1]?.messages.at(-1)?.content ?? '';
  assert.match(toolReply, /"tier":\s*1/);
  assert.match(toolReply, /make-a-card-payment/);
});
