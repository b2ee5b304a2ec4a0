import { SystemClock } from '../../clock/index.js';
import { createRuntime, type Runtime } from '../../runtime/create-runtime.js';
import type { CliIo } from '../cli-io.js';
import { configFrom, type StorageFlags } from './config-options.js';

/** Opens the runtime for one CLI command and always closes it, signing a checkpoint if the command appended. */
export async function withRuntime<T>(
  io: CliIo,
  flags: StorageFlags,
  work: (runtime: Runtime) => Promise<T>,
  more: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
): Promise<T> {
  const config = await configFrom(io, flags, more);
  const runtime = await createRuntime(config, { clock: SystemClock.create(), processMetrics: false });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}
