import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseCatalogue } from './parse-catalogue.js';
import type { CatalogueResult, CatalogueSourceFile } from './types.js';

const YAML_FILE = /\.ya?ml$/i;

/**
 * Reads a catalogue from one YAML file or from every .yaml/.yml file under a directory (hidden entries
 * skipped, files in name order) and validates it. A path that cannot be read is reported as a problem.
 */
export async function loadCatalogueFiles(path: string): Promise<CatalogueResult> {
  let files: CatalogueSourceFile[];
  try {
    files = await readSources(path);
  } catch (error: unknown) {
    const reason =
      error instanceof Error && 'code' in error && error.code === 'ENOENT'
        ? 'no such file or directory'
        : 'cannot be read';
    return {
      ok: false,
      problems: [{ code: 'no-files', file: path, line: 1, column: 1, path: '(catalogue)', message: reason }],
    };
  }
  const result = parseCatalogue(files);
  if (!result.ok && files.length === 0) {
    return { ok: false, problems: result.problems.map((problem) => ({ ...problem, file: path })) };
  }
  return result;
}

async function readSources(path: string): Promise<CatalogueSourceFile[]> {
  const root = resolve(path);
  const info = await stat(root);
  if (info.isFile()) return [{ name: path, text: await readFile(root, 'utf8') }];
  const names = await listYamlFiles(root);
  return Promise.all(
    names.map(async (file) => ({ name: join(path, relative(root, file)), text: await readFile(file, 'utf8') })),
  );
}

async function listYamlFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const sorted = entries.filter((entry) => !entry.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : 1));
  const found: string[] = [];
  for (const entry of sorted) {
    const full = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...(await listYamlFiles(full)));
    else if (entry.isFile() && YAML_FILE.test(entry.name)) found.push(full);
  }
  return found;
}
