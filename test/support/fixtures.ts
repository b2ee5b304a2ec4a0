/**
 * The repository root and the files under `test/fixtures/`, found alike from the source tree and the compiled one.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory above this module that holds `package.json`. */
export const REPOSITORY_ROOT = findRoot();

/** The text of `test/fixtures/<segments…>`, such as `readFixture('ledger', 'note-vectors.json')`. */
export function readFixture(...segments: ReadonlyArray<string>): string {
  return readFileSync(join(REPOSITORY_ROOT, 'test', 'fixtures', ...segments), 'utf8');
}

function findRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json')) && dirname(directory) !== directory) {
    directory = dirname(directory);
  }
  return directory;
}

/** Listens on a free loopback port, closes at the end of the test, and gives the base URL. */
export async function listenOnLoopback(
  server: Server,
  t: { after(fn: () => Promise<unknown>): void },
): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the server has no port');
  return `http://127.0.0.1:${address.port}`;
}
