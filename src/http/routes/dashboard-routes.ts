import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/**
 * The dashboard's own files are public (the API they call is not), so nothing here reads a token. The policy lets
 * the pages load only their own scripts and styles and talk only to this server: no CDN, nothing inline.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Built files carry a content hash in their name, so they never change; the page itself is always asked for afresh. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** Built means a page and its hashed assets: `src/web` itself has an index.html too, but no assets to serve. */
export function dashboardAvailable(directory: string): boolean {
  return existsSync(join(directory, 'index.html')) && existsSync(join(directory, 'assets'));
}

/**
 * Serves the built dashboard (`dist/web`) at `/`: whatever files are there when asked, so a rebuild takes effect
 * without a restart; a path with no file is the API's 404.
 */
export function dashboardRoutes(directory: string): FastifyPluginAsync {
  return async (app) => {
    await app.register(fastifyStatic, {
      root: directory,
      prefix: '/',
      wildcard: true,
      index: ['index.html'],
      cacheControl: false,
      setHeaders: (response, path) => {
        response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
        response.setHeader('x-content-type-options', 'nosniff');
        response.setHeader('referrer-policy', 'no-referrer');
        const inAssets = relative(join(directory, 'assets'), path);
        const hashed = inAssets !== '' && !inAssets.startsWith('..') && !isAbsolute(inAssets);
        response.setHeader('cache-control', hashed ? IMMUTABLE : REVALIDATE);
      },
    });
  };
}

/** Where `npm run build` puts the dashboard, beside the compiled server (`dist/web`). */
export function builtDashboardDirectory(): string {
  return fileURLToPath(new URL('../../web/', import.meta.url));
}
