import { type Command, Option } from 'commander';
import { type Principal, ROLES, type TokenSummary } from '../../auth/index.js';
import type { CliIo } from '../cli-io.js';
import { type StorageFlags, withStorageOptions } from './config-options.js';
import { withRuntime } from './with-runtime.js';

export function addTokenCommand(program: Command, io: CliIo): void {
  const principal: Principal = { kind: 'local', user: io.user };
  const token = program.command('token').description('create, list and revoke API tokens');

  withStorageOptions(
    token
      .command('create')
      .description('create a token and print it on stdout; it is shown once and stored only as a SHA-256 hash')
      .requiredOption('--name <name>', 'a unique name for the token, such as ci-pipeline')
      .addOption(new Option('--role <role>', 'what the token may do').choices(ROLES).makeOptionMandatory())
      .option('--scope <integration>', 'for integration tokens: the one integration it may deliver to')
      .option('--expires-in <duration>', 'lifetime such as 90d; no expiry when absent'),
  ).action(async (options: StorageFlags & { name: string; role: string; scope?: string; expiresIn?: string }) => {
    await withRuntime(io, options, async (runtime) => {
      const created = await runtime.tokens.createToken(principal, {
        name: options.name,
        role: options.role,
        scope: options.scope,
        expiresIn: options.expiresIn,
      });
      io.stdout(`${created.token}\n`);
      io.stderr(`created token "${created.summary.name}" (${created.summary.role}); it will not be shown again\n`);
    });
  });

  withStorageOptions(
    token
      .command('list')
      .description('list tokens (never their values)')
      .option('--all', 'include revoked tokens')
      .option('--json', 'print JSON'),
  ).action(async (options: StorageFlags & { all?: boolean; json?: boolean }) => {
    await withRuntime(io, options, async (runtime) => {
      const tokens = await runtime.tokens.list(principal, { includeRevoked: options.all === true });
      io.stdout(options.json === true ? `${JSON.stringify(tokens, null, 2)}\n` : formatTable(tokens));
    });
  });

  withStorageOptions(
    token
      .command('revoke')
      .description('revoke a token by id or by the name of an active token')
      .argument('<id-or-name>'),
  ).action(async (idOrName: string, options: StorageFlags) => {
    await withRuntime(io, options, async (runtime) => {
      const revoked = await runtime.tokens.revoke(principal, idOrName);
      io.stderr(`revoked token "${revoked.name}" (${revoked.id})\n`);
    });
  });
}

function formatTable(tokens: ReadonlyArray<TokenSummary>): string {
  const header = ['NAME', 'ROLE', 'SCOPE', 'STATUS', 'PREFIX', 'CREATED', 'LAST USED', 'ID'];
  const rows = tokens.map((t) => [
    t.name,
    t.role,
    t.scope ?? '-',
    t.status,
    `${t.prefix}…`,
    t.createdAt,
    t.lastUsedAt ?? '-',
    t.id,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: ReadonlyArray<string>): string =>
    `${cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()}\n`;
  return [header, ...rows].map(line).join('');
}
