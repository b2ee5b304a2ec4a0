import { type FileHandle, open, readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Principal } from '../../auth/index.js';
import { InputError } from '../../errors/index.js';
import { generateNoteKey, loadLedgerKeys, verifyEvidenceBundle } from '../../ledger/index.js';
import type { CliIo } from '../cli-io.js';
import { EXIT_OK, EXIT_PROBLEMS } from '../exit-code.js';
import { configFrom, type StorageFlags, withStorageOptions } from './config-options.js';
import { withRuntime } from './with-runtime.js';

interface ExportFlags extends StorageFlags {
  readonly from?: string;
  readonly to?: string;
  readonly subject?: string;
  readonly type?: string;
  readonly output: string;
}

export function addLedgerCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const principal: Principal = { kind: 'local', user: io.user };
  const ledger = program
    .command('ledger')
    .description('the tamper-evident ledger: keys, checkpoints, verification, evidence export, proofs and replay');

  const key = withStorageOptions(
    ledger.command('key').description('print the verifier keys of the checkpoint signers (signed-note vkey form)'),
  ).action(async (flags: StorageFlags) => {
    const config = await configFrom(io, flags);
    const keys = await loadLedgerKeys({
      dataDir: config.storage.dataDir,
      origin: config.ledger.origin,
      keyFile: config.ledger.keyFile,
      key: config.ledger.key,
    });
    if (keys.created) io.stderr(`created a new signing key in ${keys.source}\n`);
    for (const signer of keys.signers) io.stdout(`${signer.verifierKey}\n`);
  });
  withStorageOptions(
    key
      .command('generate')
      .description('make a new signing key for this origin, for a key rotation; prints its verifier key')
      .requiredOption(
        '-o, --output <file>',
        'where to write the signing key (created with mode 0600; never overwritten)',
      ),
  ).action(async (flags: StorageFlags & { output: string }) => {
    const config = await configFrom(io, flags);
    const generated = generateNoteKey(config.ledger.origin);
    try {
      await writeFile(flags.output, `${generated.signerKey}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error: unknown) {
      throw new InputError(`cannot create ${flags.output}: ${error instanceof Error ? error.message : String(error)}`);
    }
    io.stdout(`${generated.verifierKey}\n`);
    io.stderr(
      `wrote the signing key to ${flags.output}; to rotate, add its line to the key file beside the old key, ` +
        'give auditors the new verifier key, and remove the old key once they trust the new one\n',
    );
  });

  withStorageOptions(
    ledger.command('checkpoint').description('sign a checkpoint of the current tree now and print it'),
  ).action(async (flags: StorageFlags) => {
    await withRuntime(io, flags, async (runtime) => {
      const signed = await runtime.ledgerService.signCheckpoint(principal);
      io.stdout(signed.note);
    });
  });

  withStorageOptions(
    ledger
      .command('verify')
      .description(
        'check the live ledger (every leaf, stored hash and checkpoint), or with FILE an evidence bundle and no database',
      )
      .argument('[file]', 'an evidence bundle written by "ledger export"')
      .option('--key <vkey>', 'a trusted verifier key for a bundle (repeat for several)', collect, [])
      .option('--json', 'print JSON'),
  ).action(async (file: string | undefined, flags: StorageFlags & { key: string[]; json?: boolean }) => {
    if (file !== undefined) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error: unknown) {
        throw new InputError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const result = verifyEvidenceBundle(text, flags.key);
      if (flags.json === true) {
        io.stdout(`${JSON.stringify({ ...result, checkpointSize: result.checkpointSize?.toString() }, null, 2)}\n`);
      } else if (result.ok) {
        io.stdout(
          `${file}: verified ${result.entriesChecked} entries against the checkpoint of size ${result.checkpointSize} of ${result.origin}\n`,
        );
        if (result.trust === 'bundle') {
          io.stderr(
            'warning: no --key given, so the bundle was checked with the keys it carries; this shows it is intact, ' +
              'not who made it. Pass the verifier key you got from the organisation with --key.\n',
          );
        }
      } else {
        io.stdout(`${file}: FAILED\n${result.problems.map((problem) => `  ${problem}\n`).join('')}`);
      }
      setExitCode(result.ok ? EXIT_OK : EXIT_PROBLEMS);
      return;
    }
    await withRuntime(io, flags, async (runtime) => {
      const result = await runtime.ledgerService.verify(principal);
      if (flags.json === true) {
        io.stdout(
          `${JSON.stringify(
            {
              ...result,
              size: result.size.toString(),
              latestCheckpointSize: result.latestCheckpointSize?.toString(),
              firstBadIndex: result.firstBadIndex?.toString(),
            },
            null,
            2,
          )}\n`,
        );
      } else if (result.ok) {
        io.stdout(
          `the ledger verifies: ${result.size} entries, root ${result.root}, ${result.checkpointsChecked} signed checkpoints checked\n`,
        );
      } else {
        io.stdout(
          `the ledger does NOT verify${result.firstBadIndex === undefined ? '' : `: the first bad index is ${result.firstBadIndex}`}\n` +
            result.problems.map((problem) => `  ${problem}\n`).join(''),
        );
      }
      setExitCode(result.ok ? EXIT_OK : EXIT_PROBLEMS);
    });
  });

  withStorageOptions(
    ledger
      .command('export')
      .description('write a sealed evidence bundle: entries, a signed checkpoint, inclusion proofs and verifier keys')
      .option('--from <time>', 'entries at or after this ISO 8601 time')
      .option('--to <time>', 'entries before this ISO 8601 time')
      .option('--subject <subject>', 'only entries about this subject, such as token:<id> or catalogue')
      .option('--type <type>', 'only entries of this event type, such as catalogue.loaded')
      .requiredOption('-o, --output <file>', 'the bundle file to write'),
  ).action(async (flags: ExportFlags) => {
    const from = isoOption('from', flags.from);
    const to = isoOption('to', flags.to);
    // Opened first, so a path that cannot be written fails as a usage error before the export is recorded.
    let output: FileHandle;
    try {
      output = await open(flags.output, 'w');
    } catch (error: unknown) {
      throw new InputError(`cannot write ${flags.output}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      await withRuntime(io, flags, async (runtime) => {
        const bundle = await runtime.ledgerService.exportEvidence(principal, {
          from,
          to,
          subject: flags.subject,
          type: flags.type,
        });
        await output.writeFile(`${JSON.stringify(bundle, null, 2)}\n`);
        io.stderr(`wrote ${bundle.entries.length} entries with their proofs to ${flags.output}\n`);
        io.stderr(
          `check it anywhere with: sre-agent ledger verify ${flags.output} --key '${bundle.verifierKeys[0] ?? ''}'\n`,
        );
      });
    } finally {
      await output.close();
    }
  });

  withStorageOptions(
    ledger
      .command('prove')
      .description('print one entry with its inclusion proof against a signed checkpoint')
      .argument('<index-or-id>', 'the leaf index or the event id'),
  ).action(async (indexOrId: string, flags: StorageFlags) => {
    await withRuntime(io, flags, async (runtime) => {
      const proved = await runtime.ledgerService.prove(principal, indexOrId);
      io.stdout(
        `${JSON.stringify(
          {
            index: proved.entry.index,
            event: proved.entry.event,
            leaf: proved.entry.leaf,
            treeSize: proved.checkpoint.checkpoint.size.toString(),
            proof: proved.proof,
            checkpoint: proved.checkpoint.note,
          },
          null,
          2,
        )}\n`,
      );
    });
  });

  withStorageOptions(
    ledger
      .command('replay')
      .description('rebuild every projection from the ledger alone and report any difference from the live tables')
      .option('--json', 'print JSON'),
  ).action(async (flags: StorageFlags & { json?: boolean }) => {
    await withRuntime(io, flags, async (runtime) => {
      const result = await runtime.ledgerService.replay(principal);
      if (flags.json === true) {
        io.stdout(`${JSON.stringify({ ...result, events: result.events.toString() }, null, 2)}\n`);
      } else {
        const tables = result.tables.map((table) => `${table.name} (${table.rows} rows)`).join(', ');
        io.stdout(
          result.ok
            ? `replayed ${result.events} events: ${tables} match the live tables\n`
            : `replayed ${result.events} events: ${result.differences.length} differences\n${result.differences
                .map((d) => `  ${d.table} ${d.key}: ${d.problem}\n`)
                .join('')}`,
        );
      }
      setExitCode(result.ok ? EXIT_OK : EXIT_PROBLEMS);
    });
  });

  withStorageOptions(
    ledger
      .command('erase-restricted')
      .description('erase the restricted data (personal data, secrets) kept beside one entry; proofs stay valid')
      .argument('<index-or-id>', 'the leaf index or the event id')
      .requiredOption('--reason <reason>', 'why, for the record (for example a GDPR erasure request reference)'),
  ).action(async (indexOrId: string, flags: StorageFlags & { reason: string }) => {
    await withRuntime(io, flags, async (runtime) => {
      const event = await runtime.ledgerService.eraseRestricted(principal, indexOrId, flags.reason);
      io.stderr(`erased the restricted data of entry ${indexOrId}; recorded as entry ${event.seq}\n`);
    });
  });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function isoOption(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new InputError(`--${name} "${value}" is not a time: use ISO 8601 such as 2026-11-01 or 2026-11-01T09:00:00Z`);
  }
  return new Date(time).toISOString();
}
