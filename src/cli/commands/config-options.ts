import type { Command } from 'commander';
import { type Config, loadConfig } from '../../config/index.js';
import type { CliIo } from '../cli-io.js';

export interface StorageFlags {
  readonly config?: string;
  readonly dataDir?: string;
}

export function withStorageOptions(command: Command): Command {
  return command
    .option('--config <file>', 'YAML configuration file')
    .option('--data-dir <dir>', 'data directory holding the SQLite database (default ./.sre-agent)');
}

export async function configFrom(
  io: CliIo,
  flags: StorageFlags,
  more: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
): Promise<Config> {
  return loadConfig({
    file: flags.config,
    env: io.env,
    overrides: { ...more, storage: { ...(more.storage ?? {}), dataDir: flags.dataDir } },
  });
}
