import { type Command, Option } from 'commander';
import { CatalogueIndex, formatProblem, loadCatalogueFiles } from '../../catalogue/index.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE } from '../exit-code.js';

export function addValidateCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description('validate a catalogue (a YAML file or a directory tree) and report every problem with its location')
    .argument('[path]', 'catalogue file or directory (default: $SRE_AGENT_CATALOGUE or ./catalogue)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (path: string | undefined, options: { format: 'text' | 'json' }) => {
      const source = path ?? io.env.SRE_AGENT_CATALOGUE ?? 'catalogue';
      const result = await loadCatalogueFiles(source);
      if (options.format === 'json') {
        io.stdout(
          `${JSON.stringify(
            result.ok
              ? {
                  valid: true,
                  source,
                  digest: result.digest,
                  counts: CatalogueIndex.of(result.catalogue).counts(),
                  problems: [],
                }
              : { valid: false, source, problems: result.problems },
            null,
            2,
          )}\n`,
        );
      } else if (result.ok) {
        const counts = CatalogueIndex.of(result.catalogue).counts();
        io.stdout(
          `${source}: valid: ${counts.teams} teams, ${counts.services} services, ${counts.importantBusinessServices} important business services, ` +
            `${counts.thirdParties} third parties, ${counts.freezeWindows} freeze windows, ${counts.slos} SLOs (digest ${result.digest.slice(0, 12)})\n`,
        );
      } else {
        for (const problem of result.problems) io.stdout(`${formatProblem(problem)}\n`);
        const files = new Set(result.problems.map((problem) => problem.file)).size;
        io.stderr(
          `${source}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}\n`,
        );
      }
      const nothingToRead = !result.ok && result.problems.every((problem) => problem.code === 'no-files');
      setExit(result.ok ? EXIT_OK : nothingToRead ? EXIT_USAGE : EXIT_PROBLEMS);
    });
}
