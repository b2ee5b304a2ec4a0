import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AlertService } from '../alerts/index.js';
import type { TokenService } from '../auth/index.js';
import type { CatalogueService } from '../catalogue/index.js';
import type { ChangeService } from '../changes/change-service.js';
import type { DeploymentService } from '../changes/deployment-service.js';
import type { GateService } from '../changes/gate-service.js';
import type { GitHubProtectionRules } from '../changes/integrations/github-protection-rule.js';
import type { IncidentService } from '../incidents/index.js';
import type { LedgerService } from '../ledger/index.js';
import { type Contribute, mcpHttpRoutes } from '../mcp/index.js';
import type { Metrics } from '../observability/index.js';
import type { ContributionService } from '../reports/contribution-service.js';
import { PERSONA_MARKDOWN } from '../reports/persona.js';
import type { SloService } from '../slo/slo-service.js';
import type { Store } from '../store/index.js';
import { authenticateRequests } from './authenticate.js';
import { handleError, handleNotFound } from './error-handler.js';
import { alertRoutes } from './routes/alert-routes.js';
import { catalogueRoutes } from './routes/catalogue-routes.js';
import { changeRoutes } from './routes/change-routes.js';
import { contributionRoutes } from './routes/contribution-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { flaggerRoutes, gateRoutes, githubRoutes } from './routes/gate-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { incidentRoutes } from './routes/incident-routes.js';
import { ledgerRoutes } from './routes/ledger-routes.js';
import { sloRoutes } from './routes/slo-routes.js';
import { tokenRoutes } from './routes/token-routes.js';

export interface AppDependencies {
  readonly version: string;
  readonly bodyLimit: number;
  readonly logger: FastifyBaseLogger | undefined;
  readonly store: Store;
  readonly tokens: TokenService;
  readonly catalogue: CatalogueService;
  readonly metrics: Metrics;
  readonly ledger: LedgerService;
  readonly slos: SloService;
  readonly alerts: AlertService;
  readonly incidents: IncidentService;
  readonly changes: ChangeService;
  readonly gate: GateService;
  readonly deployments: DeploymentService;
  readonly github: GitHubProtectionRules | undefined;
  readonly contributions: ContributionService;
  /** The MCP server at /mcp; absent, there is none. */
  readonly mcp?:
    | {
        readonly allowWrites: boolean;
        readonly allowedHosts: ReadonlyArray<string>;
        readonly allowedOrigins: ReadonlyArray<string>;
        readonly contribute?: Contribute | undefined;
        readonly persona?: string | undefined;
      }
    | undefined;
  /** The built dashboard to serve at `/`; absent, there is none. */
  readonly dashboardDirectory?: string | undefined;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Builds the HTTP API without listening; the serve command listens, tests use inject(). */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger === undefined ? { logger: false } : { loggerInstance: deps.logger }),
    bodyLimit: deps.bodyLimit,
    requestIdHeader: false,
    genReqId: (request) => {
      const offered = request.headers['x-request-id'];
      return typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : randomUUID();
    },
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  app.decorateRequest('principal', undefined);
  // The API takes JSON only: any other body type is a 415, not a confusing validation error.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // A POST with no body at all (`curl -X POST`) is an empty object: actions such as submit need nothing more, and a
  // route that does need fields then names the missing field rather than saying the body is null.
  app.addHook('preValidation', async (request) => {
    if (
      (request.method === 'POST' || request.method === 'PUT') &&
      (request.body === undefined || request.body === null)
    ) {
      request.body = {};
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'sre-agent API',
        version: deps.version,
        description: 'The site reliability engineer for regulated services. Every /api/ route needs a bearer token.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });

  await app.register(healthRoutes({ store: deps.store, catalogue: deps.catalogue, metrics: deps.metrics }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const authenticatedApi: FastifyPluginAsync = async (api) => {
    api.addHook('onRequest', authenticateRequests(deps.tokens));
    await api.register(catalogueRoutes(deps.catalogue));
    await api.register(tokenRoutes(deps.tokens));
    await api.register(ledgerRoutes(deps.ledger));
    await api.register(sloRoutes(deps.slos));
    await api.register(alertRoutes(deps.alerts));
    await api.register(incidentRoutes(deps.incidents));
    await api.register(changeRoutes(deps.changes));
    await api.register(gateRoutes(deps.gate, deps.deployments));
    await api.register(contributionRoutes(deps.contributions));
  };
  await app.register(authenticatedApi);
  if (deps.dashboardDirectory !== undefined) await app.register(dashboardRoutes(deps.dashboardDirectory));
  // These authenticate in their own way: a token in Flagger's metadata, GitHub's webhook signature.
  await app.register(flaggerRoutes(deps.gate, deps.tokens));
  if (deps.github !== undefined) await app.register(githubRoutes(deps.github));
  // MCP checks Host and Origin, then the token, itself.
  if (deps.mcp !== undefined) {
    await app.register(
      mcpHttpRoutes({
        tokens: deps.tokens,
        allowWrites: deps.mcp.allowWrites,
        allowedHosts: deps.mcp.allowedHosts,
        allowedOrigins: deps.mcp.allowedOrigins,
        services: {
          catalogue: deps.catalogue,
          slos: deps.slos,
          alerts: deps.alerts,
          incidents: deps.incidents,
          changes: deps.changes,
          gate: deps.gate,
          ledgerService: deps.ledger,
          contribute:
            deps.mcp.contribute ??
            (async (principal, kind, id) => (await deps.contributions.contribute(principal, kind, id)).markdown),
          persona: deps.mcp.persona ?? PERSONA_MARKDOWN,
        },
      }),
    );
  }

  return app;
}
