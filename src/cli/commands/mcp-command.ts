import type { Command } from 'commander';
import { runStdioServer } from '../../mcp/index.js';
import { PERSONA_MARKDOWN } from '../../reports/persona.js';
import type { CliIo } from '../cli-io.js';
import { type StorageFlags, withStorageOptions } from './config-options.js';
import { withRuntime } from './with-runtime.js';

/**
 * `sre-agent mcp`: the MCP server on standard input and output, as the local user, for an MCP host on this machine.
 * Standard output carries only MCP messages.
 */
export function addMcpCommand(program: Command, io: CliIo): void {
  withStorageOptions(
    program
      .command('mcp')
      .description('serve MCP on stdio for an MCP host (Claude Desktop, an IDE, an agent) on this machine')
      .option('--catalogue <path>', 'catalogue file or directory (default from the configuration)')
      .option('--allow-writes', 'offer the write tools: declare an incident, add an update, create a change'),
  ).action(async (flags: StorageFlags & { catalogue?: string; allowWrites?: boolean }) => {
    await withRuntime(
      io,
      flags,
      async (runtime) => {
        await runtime.catalogue.readForCommand();
        await runStdioServer(
          {
            ...runtime,
            ledgerService: runtime.ledgerService,
            contribute: async (principal, kind, id) =>
              (await runtime.contributions.contribute(principal, kind, id)).markdown,
            persona: PERSONA_MARKDOWN,
          },
          { kind: 'local', user: io.user },
          { allowWrites: flags.allowWrites === true },
        );
      },
      flags.catalogue === undefined ? {} : { catalogue: { path: flags.catalogue } },
    );
  });
}
