import type { Command } from 'commander';
import { ask } from '../../agent/ask.js';
import { mcpAskTools } from '../../agent/mcp-tools.js';
import { parseDuration } from '../../clock/index.js';
import { InputError } from '../../errors/index.js';
import { createMcpServer } from '../../mcp/index.js';
import { SIGN_OFF } from '../../reports/contribution.js';
import { checkContribution } from '../../reports/contribution-checks.js';
import { PERSONA_MARKDOWN } from '../../reports/persona.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_PROBLEMS } from '../exit-code.js';
import { type StorageFlags, withStorageOptions } from './config-options.js';
import { withRuntime } from './with-runtime.js';

/**
 * `sre-agent ask "..."`: a question answered by an OpenAI-compatible model that may call sre-agent's read-only MCP
 * tools, as the local user, bounded in steps and time. The sign-off is added by code.
 */
export function addAskCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  withStorageOptions(
    program
      .command('ask')
      .description('ask the SRE agent a question; needs an OpenAI-compatible model (--llm or llm.url)')
      .argument('<question>')
      .option('--llm <url>', 'chat-completions base URL, such as http://127.0.0.1:11434/v1 (default llm.url)')
      .option('--model <name>', 'the model (default llm.model)')
      .option('--catalogue <path>', 'catalogue file or directory (default from the configuration)'),
  ).action(async (question: string, flags: StorageFlags & { llm?: string; model?: string; catalogue?: string }) => {
    await withRuntime(
      io,
      flags,
      async (runtime) => {
        const llm = runtime.config.llm;
        if (llm.url === undefined) {
          throw new InputError('no model to ask: pass --llm URL or set llm.url (SRE_AGENT_LLM_URL)', {
            details: [{ path: '--llm', message: 'an OpenAI-compatible chat-completions base URL' }],
          });
        }
        await runtime.catalogue.readForCommand();
        const principal = { kind: 'local', user: io.user } as const;
        const tools = await mcpAskTools(
          createMcpServer(
            { ...runtime, ledgerService: runtime.ledgerService, persona: PERSONA_MARKDOWN },
            { principal },
          ),
        );
        try {
          const timeout = parseDuration(llm.timeout);
          const result = await ask(question, {
            chat: { baseUrl: llm.url, model: llm.model, apiKey: llm.apiKey, timeoutMs: 60_000, attempts: 3 },
            tools,
            persona: PERSONA_MARKDOWN,
            maxSteps: llm.maxSteps,
            deadlineMs: timeout.ok ? timeout.milliseconds : 120_000,
            signOff: SIGN_OFF,
          });
          if (!result.ok) {
            io.stderr(`sre-agent ask: no answer: ${result.reason}\n`);
            setExit(EXIT_PROBLEMS);
            return;
          }
          io.stdout(result.answer);
          // The model's prose cannot be corrected here; what the persona checks find is said, not hidden.
          for (const problem of checkContribution(result.answer)) {
            io.stderr(`check, line ${problem.line}: ${problem.message}\n`);
          }
          io.stderr(
            `(${result.steps} model call${result.steps === 1 ? '' : 's'}, tools: ${result.tools.map((tool) => tool.name).join(', ') || 'none'})\n`,
          );
        } finally {
          await tools.close();
        }
      },
      {
        llm: { url: flags.llm, model: flags.model },
        ...(flags.catalogue === undefined ? {} : { catalogue: { path: flags.catalogue } }),
      },
    );
  });
}
