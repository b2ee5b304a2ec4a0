/**
 * Tools the tests run as real peers, taken from Debian's packages without installing them system-wide:
 * `apt-get download` fetches the package and `dpkg-deb -x` unpacks it under `.tools/`. Prometheus's and Alertmanager's
 * binaries are static Go programs, so they need none of the package's dependencies.
 * @module
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DebianTool {
  readonly package: string;
  /** Where the unpacked package goes, under the repository's `.tools/`. */
  readonly directory: string;
  /** A file whose presence means the tool is already there. */
  readonly marker: string;
}

export function prometheusTool(root: string): DebianTool {
  const directory = join(root, '.tools', 'prometheus');
  return { package: 'prometheus', directory, marker: join(directory, 'usr', 'bin', 'promtool') };
}

export function alertmanagerTool(root: string): DebianTool {
  const directory = join(root, '.tools', 'alertmanager');
  return {
    package: 'prometheus-alertmanager',
    directory,
    marker: join(directory, 'usr', 'bin', 'prometheus-alertmanager'),
  };
}

/** Unpacks the package unless it is there already; says why when it cannot. */
export async function ensureDebianTool(tool: DebianTool): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (existsSync(tool.marker)) return { ok: true };
  const download = await mkdtemp(join(tmpdir(), 'sre-tools-'));
  try {
    try {
      await run('apt-get', ['download', tool.package], { cwd: download, timeout: 300_000 });
    } catch {
      // A fresh machine may not have package lists yet.
      await run('apt-get', ['update', '-qq'], { timeout: 300_000 });
      await run('apt-get', ['download', tool.package], { cwd: download, timeout: 300_000 });
    }
    const deb = (await readdir(download)).find((name) => name.endsWith('.deb'));
    if (deb === undefined) return { ok: false, reason: `apt-get download ${tool.package} produced no .deb` };
    await mkdir(tool.directory, { recursive: true });
    await run('dpkg-deb', ['-x', join(download, deb), tool.directory], { timeout: 300_000 });
    return existsSync(tool.marker) ? { ok: true } : { ok: false, reason: `${tool.marker} is not in the package` };
  } catch (error: unknown) {
    return { ok: false, reason: error instanceof Error ? (error.message.split('\n')[0] ?? 'failed') : String(error) };
  } finally {
    await rm(download, { recursive: true, force: true });
  }
}
