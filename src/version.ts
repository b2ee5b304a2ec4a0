import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package version from the nearest package.json above this file (dist/ and the test build differ in depth). */
function readVersion(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth += 1) {
    const candidate = join(directory, 'package.json');
    if (existsSync(candidate)) {
      const manifest: unknown = JSON.parse(readFileSync(candidate, 'utf8'));
      if (manifest !== null && typeof manifest === 'object' && 'name' in manifest && manifest.name === 'sre-agent') {
        return 'version' in manifest && typeof manifest.version === 'string' ? manifest.version : '0.0.0';
      }
    }
    directory = dirname(directory);
  }
  return '0.0.0';
}

export const VERSION: string = readVersion();
