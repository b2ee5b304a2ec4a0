import { Argument, type Command, Option } from 'commander';
import { CONTRIBUTION_KINDS, type ContributionKind } from '../../reports/contribution.js';
import type { CliIo } from '../cli-io.js';
import { type StorageFlags, withStorageOptions } from './config-options.js';
import { withRuntime } from './with-runtime.js';

/** `sre-agent contribute service|ibs|change|incident ID`: the SRE agent's contribution, from live data. */
export function addContributeCommand(program: Command, io: CliIo): void {
  withStorageOptions(
    program
      .command('contribute')
      .description("the SRE agent's contribution on a service, important business service, change or incident")
      .addArgument(new Argument('<kind>', 'service, ibs, change or incident').choices(CONTRIBUTION_KINDS))
      .argument('<id>', 'a service or important business service name, a change (CHG-n) or an incident (INC-n)')
      .addOption(new Option('--format <format>').choices(['markdown', 'json']).default('markdown'))
      .option('--catalogue <path>', 'catalogue file or directory (default from the configuration)'),
  ).action(
    async (
      kind: ContributionKind,
      id: string,
      flags: StorageFlags & { format: 'markdown' | 'json'; catalogue?: string },
    ) => {
      await withRuntime(
        io,
        flags,
        async (runtime) => {
          await runtime.catalogue.readForCommand();
          const rendered = await runtime.contributions.contribute({ kind: 'local', user: io.user }, kind, id);
          io.stdout(flags.format === 'json' ? rendered.json : rendered.markdown);
        },
        flags.catalogue === undefined ? {} : { catalogue: { path: flags.catalogue } },
      );
    },
  );
}
