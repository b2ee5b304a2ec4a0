/**
 * Runs every compiled test file with node:test. When PostgreSQL is among the dialects under test and no server
 * was given, it starts one throwaway cluster for the whole run and hands its URL to the test processes.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type PostgresCluster, startPostgresCluster } from '../test/support/postgres-cluster.js';
import { alertmanagerTool, ensureDebianTool, prometheusTool } from './ensure-tools.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

async function findTests(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await findTests(path)));
    else if (entry.name.endsWith('.test.js')) found.push(path);
  }
  return found.sort();
}

const filters = process.argv.slice(2);
const files = [...(await findTests(join(root, 'src'))), ...(await findTests(join(root, 'test')))].filter(
  (file) => filters.length === 0 || filters.some((filter) => relative(root, file).includes(filter)),
);
const dialects = (process.env.DIALECTS ?? 'sqlite,postgres').split(',');

// promtool and prometheus from Debian's package, for the SLO rule tests; under CI their absence fails those tests.
// `root` is the compiled tree (.test-dist); the tools live beside it in the repository.
const prometheus = prometheusTool(dirname(root));
const tools = await ensureDebianTool(prometheus);
if (!tools.ok)
  process.stderr.write(`prometheus tools unavailable (${tools.reason}); tests that need promtool will say so\n`);
// Alertmanager from Debian's package, for the alert intake tests; the same rule applies.
const alertmanager = await ensureDebianTool(alertmanagerTool(dirname(root)));
if (!alertmanager.ok)
  process.stderr.write(`alertmanager unavailable (${alertmanager.reason}); tests that need it will say so\n`);

let cluster: PostgresCluster | undefined;
const env = { ...process.env };
if (dialects.includes('postgres') && env.SRE_TEST_POSTGRES_URL === undefined) {
  const started = Date.now();
  cluster = await startPostgresCluster();
  env.SRE_TEST_POSTGRES_URL = cluster.url;
  process.stderr.write(`test PostgreSQL cluster ready in ${Date.now() - started} ms\n`);
}

const reporter = process.env.CI === 'true' ? 'spec' : (process.env.TEST_REPORTER ?? 'spec');
// Two processes at a time: most tests wait on fsync, PostgreSQL or a child process, so two fit on a 2-core machine.
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// A whole run packs the files into that many processes: each Node process spends about 0.4 s of CPU loading the
// application, which over sixty files was a fifth of the suite's CPU. A filtered run keeps a process per file.
const groupDirectory = filters.length === 0 ? await mkdtemp(join(tmpdir(), 'sre-test-groups-')) : undefined;
const entries = groupDirectory === undefined ? files : await writeGroups(files, Number(concurrency), groupDirectory);
const child = spawn(
  process.execPath,
  ['--test', `--test-reporter=${reporter}`, `--test-concurrency=${concurrency}`, '--test-timeout=1800000', ...entries],
  {
    stdio: 'inherit',
    env,
  },
);
const code = await new Promise<number>((resolve) => {
  child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal === null ? 1 : 128)));
});
await cluster?.stop();
if (groupDirectory !== undefined) await rm(groupDirectory, { recursive: true, force: true });
process.exitCode = code;

/** Entry modules that each import a share of the test files, the biggest files spread first. */
async function writeGroups(testFiles: ReadonlyArray<string>, count: number, directory: string): Promise<string[]> {
  const sized = await Promise.all(testFiles.map(async (file) => ({ file, size: (await stat(file)).size })));
  const groups = Array.from({ length: Math.max(1, count) }, () => ({ size: 0, files: [] as string[] }));
  for (const { file, size } of sized.sort((a, b) => b.size - a.size)) {
    const lightest = groups.reduce((best, group) => (group.size < best.size ? group : best));
    lightest.files.push(file);
    lightest.size += size;
  }
  return Promise.all(
    groups.map(async (group, index) => {
      const entry = join(directory, `group-${index + 1}.test.mjs`);
      const imports = group.files.sort().map((file) => `import ${JSON.stringify(pathToFileURL(file).href)};`);
      await writeFile(entry, `${imports.join('\n')}\n`);
      return entry;
    }),
  );
}
