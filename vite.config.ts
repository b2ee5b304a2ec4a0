import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The dashboard: src/web built into dist/web, which `sre-agent serve` serves at `/`. No CDN, no inline scripts. */
export default defineConfig({
  root: fileURLToPath(new URL('./src/web/', import.meta.url)),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('./dist/web/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Vite would otherwise inline small assets as data: URLs and a module-preload helper; the policy allows neither need.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
