import type { Command } from 'commander';
import type { Principal } from '../../auth/index.js';
import type { GateVerdict } from '../../changes/types.js';
import type { CliIo } from '../cli-io.js';
import { type StorageFlags, withStorageOptions } from './config-options.js';
import { withRuntime } from './with-runtime.js';

/** Exit statuses of `gate check`, for CI pipelines: allow, deny, hold, and no verdict at all. */
export const GATE_EXIT = { allow: 0, deny: 1, hold: 3, unknown: 4 } as const;

interface CheckFlags extends StorageFlags {
  readonly service: string;
  readonly change?: string;
  readonly server?: string;
  readonly token?: string;
  readonly json?: boolean;
}

/** `gate check`: the deployment gate's verdict for a CI pipeline, from a server or the local data directory. */
export function addGateCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const gate = program.command('gate').description('ask the deployment gate: allow, deny or hold, with the reasons');
  withStorageOptions(
    gate
      .command('check')
      .description('exit 0 allow, 1 deny, 3 hold, 4 no verdict (server unreachable, bad token, unknown service)')
      .requiredOption('--service <name>', 'the service being deployed')
      .option('--change <id>', 'the change request being implemented, such as CHG-7')
      .option('--server <url>', 'ask a running sre-agent (default: the local data directory)')
      .option('--token <token>', 'an API token for --server (default $SRE_AGENT_TOKEN)')
      .option('--json', 'print the verdict as JSON'),
  ).action(async (flags: CheckFlags) => {
    let verdict: GateVerdict & { readonly ledgerIndex?: string };
    try {
      verdict =
        flags.server === undefined
          ? await withRuntime(io, flags, async (runtime) => {
              await runtime.catalogue.readForCommand();
              const principal: Principal = { kind: 'local', user: io.user };
              return runtime.gate.check(principal, { service: flags.service, change: flags.change, source: 'cli' });
            })
          : await askServer(flags, flags.token ?? io.env.SRE_AGENT_TOKEN);
    } catch (error: unknown) {
      io.stderr(`sre-agent gate: no verdict: ${error instanceof Error ? error.message : String(error)}\n`);
      setExit(GATE_EXIT.unknown);
      return;
    }
    if (flags.json === true) io.stdout(`${JSON.stringify(verdict, null, 2)}\n`);
    else {
      io.stdout(
        `${verdict.decision.toUpperCase()} ${flags.service}${flags.change === undefined ? '' : ` (${flags.change})`}\n`,
      );
      for (const reason of verdict.reasons)
        io.stdout(`  ${reason.effect.padEnd(5)} ${reason.code}: ${reason.message}\n`);
      if (verdict.ledgerIndex !== undefined) io.stdout(`  recorded at ledger index ${verdict.ledgerIndex}\n`);
    }
    setExit(GATE_EXIT[verdict.decision]);
  });
}

async function askServer(flags: CheckFlags, token: string | undefined): Promise<GateVerdict> {
  if (token === undefined || token === '') throw new Error('--server needs --token or $SRE_AGENT_TOKEN');
  const url = new URL('/api/v1/gate', flags.server);
  url.searchParams.set('service', flags.service);
  if (flags.change !== undefined) url.searchParams.set('change', flags.change);
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json().catch(() => undefined)) as
    | (GateVerdict & { error?: { message?: string } })
    | undefined;
  if (!response.ok || body === undefined || body.decision === undefined) {
    throw new Error(`the server answered HTTP ${response.status}: ${body?.error?.message ?? 'no verdict'}`);
  }
  return body;
}
