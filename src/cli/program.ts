import { Command, CommanderError } from 'commander';
import { isBaseError } from '../errors/index.js';
import { VERSION } from '../version.js';
import type { CliIo } from './cli-io.js';
import { addAskCommand } from './commands/ask-command.js';
import { addChangeCommand } from './commands/change-command.js';
import { addContributeCommand } from './commands/contribute-command.js';
import { addGateCommand } from './commands/gate-command.js';
import { addIncidentCommand } from './commands/incident-command.js';
import { addLedgerCommand } from './commands/ledger-command.js';
import { addMcpCommand } from './commands/mcp-command.js';
import { addServeCommand } from './commands/serve-command.js';
import { addSloCommand } from './commands/slo-command.js';
import { addTokenCommand } from './commands/token-command.js';
import { addValidateCommand } from './commands/validate-command.js';
import { EXIT_INTERNAL, EXIT_OK, exitCodeFor } from './exit-code.js';
import { formatDetail } from './format-detail.js';

/** Runs one command line and returns the exit status; never calls process.exit itself. */
export async function runCli(argv: ReadonlyArray<string>, io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('sre-agent')
    .description('the site reliability engineer for regulated services')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  program.configureHelp({ sortSubcommands: true });

  addValidateCommand(program, io, (code) => {
    exitCode = code;
  });
  addServeCommand(program, io);
  addTokenCommand(program, io);
  addSloCommand(program, io, (code) => {
    exitCode = code;
  });
  addLedgerCommand(program, io, (code) => {
    exitCode = code;
  });
  addIncidentCommand(program, io);
  addChangeCommand(program, io);
  addMcpCommand(program, io);
  addContributeCommand(program, io);
  addAskCommand(program, io, (code) => {
    exitCode = code;
  });
  addGateCommand(program, io, (code) => {
    exitCode = code;
  });
  for (const command of program.commands) propagate(command, io);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error: unknown) {
    if (error instanceof CommanderError) return exitCodeFor(error);
    const code = exitCodeFor(error);
    if (isBaseError(error)) {
      io.stderr(`sre-agent: ${error.message}\n`);
      if (error.code !== 'SRE_CATALOGUE_INVALID')
        for (const detail of error.details) io.stderr(`  ${formatDetail(detail)}\n`);
    } else {
      io.stderr(`sre-agent: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
      if (error instanceof Error && error.stack !== undefined && io.env.SRE_AGENT_DEBUG === '1')
        io.stderr(`${error.stack}\n`);
    }
    return code === EXIT_OK ? EXIT_INTERNAL : code;
  }
}

function propagate(command: Command, io: CliIo): void {
  command.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const child of command.commands) propagate(child, io);
}
