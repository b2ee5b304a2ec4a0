import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { READ_TOOLS, structuredOf, textOf, toolResultOf, WRITE_TOOLS } from './mcp-client.js';

/** Compiled beside this file, as the CLI's `sre-agent mcp` would run: a process of its own. */
const ENTRY = fileURLToPath(new URL('./stdio-entry.js', import.meta.url));
const PERSONA = 'You are sre-agent, the site reliability engineer of a regulated bank.';

async function connect(
  t: TestContext,
  flags: ReadonlyArray<string>,
): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY, '--persona', PERSONA, ...flags],
    env: { ...getDefaultEnvironment(), ...(process.env.TMPDIR === undefined ? {} : { TMPDIR: process.env.TMPDIR }) },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'sre-agent-stdio-test', version: '0.0.0' });
  await client.connect(transport);
  t.after(() => client.close());
  return { client, stderr: () => stderr };
}

describe('MCP over stdio', () => {
  test('offers read tools only by default, and answers from the catalogue', async (t) => {
    const { client, stderr } = await connect(t, []);
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    assert.deepEqual(names, [...READ_TOOLS].sort(), stderr());
    const catalogueTool = tools.find((tool) => tool.name === 'catalogue_service');
    assert.equal(catalogueTool?.annotations?.readOnlyHint, true);
    assert.equal(catalogueTool?.annotations?.idempotentHint, true);
    assert.match(JSON.stringify(catalogueTool?.inputSchema), /"description":"The service name, such as/);
    // A gate check records its verdict, so it does not claim to be read-only.
    assert.equal(tools.find((tool) => tool.name === 'gate_check')?.annotations?.readOnlyHint, false);

    const service = structuredOf(
      await client.callTool({ name: 'catalogue_service', arguments: { name: 'card-payments-gateway' } }),
    );
    const view = service.service as { name: string; tier: number; dependants: string[] };
    assert.equal(view.name, 'card-payments-gateway');
    assert.equal(view.tier, 1);
    assert.ok(Array.isArray(view.dependants));
    const ibses = service.importantBusinessServices as {
      name: string;
      impactTolerance: { maxTolerableDisruption: string };
    }[];
    assert.ok(ibses.length > 0, JSON.stringify(service));
    assert.match(ibses[0]?.impactTolerance.maxTolerableDisruption ?? '', /^\d+[smhd]/);
  });

  test('returns a tool error, not a crash, for an unknown service', async (t) => {
    const { client } = await connect(t, []);
    const result = toolResultOf(
      await client.callTool({ name: 'catalogue_service', arguments: { name: 'no-such-service' } }),
    );
    assert.equal(result.isError, true);
    assert.match(textOf(result), /^SRE_NOT_FOUND: .*no-such-service/);
    assert.doesNotMatch(textOf(result), /\bat .*\.js:\d+/, 'no stack trace');
    const invalid = toolResultOf(await client.callTool({ name: 'incident_show', arguments: { id: 'incident 7' } }));
    assert.equal(invalid.isError, true);
    assert.match(textOf(invalid), /INC-12/);
  });

  test('lists its resources and prompts', async (t) => {
    const { client } = await connect(t, []);
    const { resources } = await client.listResources();
    assert.deepEqual(resources.map((resource) => resource.uri).sort(), ['sre-agent://catalogue', 'sre-agent://slos']);
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(
      resourceTemplates.map((template) => template.uriTemplate),
      ['sre-agent://incidents/{id}/timeline'],
    );
    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts.map((prompt) => prompt.name).sort(), [
      'design_slos',
      'draft_post_incident_review',
      'persona',
      'review_change',
    ]);
    const persona = await client.getPrompt({ name: 'persona' });
    assert.deepEqual(persona.messages[0]?.content, { type: 'text', text: PERSONA });
    const catalogue = await client.readResource({ uri: 'sre-agent://catalogue' });
    const content = catalogue.contents[0];
    assert.ok(content !== undefined && 'text' in content);
    const summary = JSON.parse(content.text) as { status: { loaded: boolean }; services: { name: string }[] };
    assert.equal(summary.status.loaded, true);
    assert.ok(summary.services.some((service) => service.name === 'card-payments-gateway'));
  });

  test('with --allow-writes, declares an incident as the local user, recorded in the ledger', async (t) => {
    const { client } = await connect(t, ['--allow-writes', '--user', 'priya']);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    for (const name of WRITE_TOOLS) assert.ok(names.includes(name), `${name} is offered`);
    const declare = (await client.listTools()).tools.find((tool) => tool.name === 'incident_declare');
    assert.equal(declare?.annotations?.readOnlyHint, false);
    assert.equal(declare?.annotations?.destructiveHint, false);

    const declared = structuredOf(
      await client.callTool({
        name: 'incident_declare',
        arguments: { title: 'Card authorisations timing out', services: ['card-payments-gateway'] },
      }),
    );
    assert.equal(declared.id, 'INC-1');
    assert.equal(declared.declaredBy, 'local:priya');
    const timeline = structuredOf(await client.callTool({ name: 'incident_timeline', arguments: { id: 'INC-1' } }));
    const events = timeline.items as { type: string; actor: string }[];
    assert.ok(events.some((event) => event.type === 'incident.declared' && event.actor === 'local:priya'));
  });
});
