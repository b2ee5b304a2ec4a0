import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CatalogueService } from '../../catalogue/index.js';
import type { Metrics } from '../../observability/index.js';
import type { Store } from '../../store/index.js';

const READY_TIMEOUT_MS = 2_000;

export interface HealthRouteDeps {
  readonly store: Store;
  readonly catalogue: CatalogueService;
  readonly metrics: Metrics;
}

export function healthRoutes(deps: HealthRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      const storage = await withTimeout(deps.store.ping(), READY_TIMEOUT_MS).then(
        () => ({ ok: true, message: `${deps.store.dialect} answered` }),
        () => ({ ok: false, message: `${deps.store.dialect} did not answer within ${READY_TIMEOUT_MS} ms` }),
      );
      const status = deps.catalogue.status();
      const catalogue = status.loaded
        ? { ok: true, message: `loaded at ${status.loadedAt ?? '?'} (digest ${status.digest?.slice(0, 12) ?? '?'})` }
        : { ok: false, message: 'no valid catalogue loaded' };
      const ready = storage.ok && catalogue.ok;
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not ready', checks: { storage, catalogue } });
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const text = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(text);
    });
  };
}

async function withTimeout(promise: Promise<void>, milliseconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), milliseconds);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
