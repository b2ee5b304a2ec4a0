import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigInvalidError } from '../errors/index.js';
import { generateNoteKey, type NoteSigner, parseSignerKey } from './signed-note.js';

export interface LedgerKeyOptions {
  readonly dataDir: string;
  readonly origin: string;
  /** A file of signer keys, one per line; the default is `ledger.key` in the data directory. */
  readonly keyFile?: string | undefined;
  /** Signer keys given directly (from the environment), one per line; takes precedence over any file. */
  readonly key?: string | undefined;
}

export interface LedgerKeys {
  readonly signers: ReadonlyArray<NoteSigner>;
  /** Where the keys came from, for messages: a path, or "environment". Never the key itself. */
  readonly source: string;
  /** True when this call created the key file. */
  readonly created: boolean;
}

export function defaultKeyFile(dataDir: string): string {
  return join(dataDir, 'ledger.key');
}

/**
 * The checkpoint signing keys. Several lines mean key rotation: every key signs, so verifiers that trust either
 * the old or the new key accept the checkpoints. A key for another origin, or a file others can read, is refused.
 */
export async function loadLedgerKeys(options: LedgerKeyOptions): Promise<LedgerKeys> {
  if (options.key !== undefined) {
    return {
      signers: parseKeys(options.key, options.origin, 'the ledger key from the environment'),
      source: 'environment',
      created: false,
    };
  }
  const file = options.keyFile ?? defaultKeyFile(options.dataDir);
  let text: string;
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) {
      throw new ConfigInvalidError(
        `the ledger key file ${file} can be read by others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`,
      );
    }
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    if (!isMissing(error) || options.keyFile !== undefined) {
      if (error instanceof ConfigInvalidError) throw error;
      throw new ConfigInvalidError(`cannot read the ledger key file ${file}: ${reasonOf(error)}`, { cause: error });
    }
    const generated = generateNoteKey(options.origin);
    try {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(file, `${generated.signerKey}\n`, { mode: 0o600, flag: 'wx' });
    } catch (writeError: unknown) {
      // Another process created it first: use theirs.
      if (writeError instanceof Error && 'code' in writeError && writeError.code === 'EEXIST') {
        return loadLedgerKeys(options);
      }
      throw new ConfigInvalidError(`cannot create the ledger key file ${file}: ${reasonOf(writeError)}`, {
        cause: writeError,
      });
    }
    return { signers: [parseSignerKey(generated.signerKey)], source: file, created: true };
  }
  return { signers: parseKeys(text, options.origin, `the ledger key file ${file}`), source: file, created: false };
}

function parseKeys(text: string, origin: string, where: string): NoteSigner[] {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length === 0) throw new ConfigInvalidError(`${where} holds no key`);
  return lines.map((line, number) => {
    let signer: NoteSigner;
    try {
      signer = parseSignerKey(line);
    } catch (error: unknown) {
      throw new ConfigInvalidError(`${where}, key ${number + 1}: ${reasonOf(error)}`);
    }
    if (signer.name !== origin) {
      throw new ConfigInvalidError(
        `${where}, key ${number + 1}: it is for origin "${signer.name}", but this ledger's origin is "${origin}"`,
      );
    }
    return signer;
  });
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
