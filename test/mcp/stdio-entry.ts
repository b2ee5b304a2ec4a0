/**
 * A child process for the stdio tests: `runStdioServer` as a local user on a fresh SQLite runtime holding the
 * example catalogue. Flags: `--user <name>`, `--persona <text>`, `--allow-writes`. Writes nothing to stdout but
 * MCP messages.
 * @module
 */
import { parseArgs } from 'node:util';
import { runStdioServer } from '../../src/mcp/index.js';
import { buildTestApp } from '../support/test-app.js';

const { values } = parseArgs({
  options: {
    user: { type: 'string', default: 'mcp-tester' },
    persona: { type: 'string' },
    'allow-writes': { type: 'boolean', default: false },
  },
});

const app = await buildTestApp('sqlite');
try {
  await runStdioServer(
    { ...app.runtime, persona: values.persona },
    { kind: 'local', user: values.user },
    { allowWrites: values['allow-writes'] },
  );
} finally {
  await app.cleanup();
}
