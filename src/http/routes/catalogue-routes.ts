import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CatalogueService } from '../../catalogue/index.js';
import { principalOf } from '../authenticate.js';
import { presentFreezeWindow, presentImportantBusinessService, presentService, presentTeam } from '../presenters.js';

const NameParams = z.object({ name: z.string().min(1).max(63) });
const SECURITY = [{ bearerAuth: [] }];

export function catalogueRoutes(catalogue: CatalogueService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/catalogue',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'The catalogue in force: source, digest, when and by whom it was loaded',
          security: SECURITY,
        },
      },
      async (request) => catalogue.describe(principalOf(request)),
    );

    app.post(
      '/api/v1/catalogue/reload',
      {
        schema: {
          tags: ['catalogue'],
          summary:
            'Re-read and validate the catalogue; a catalogue with problems is refused and the one in force stays',
          security: SECURITY,
        },
      },
      async (request) => catalogue.reload(principalOf(request)),
    );

    app.get(
      '/api/v1/organisation',
      { schema: { tags: ['catalogue'], summary: 'The organisation and its entity flags', security: SECURITY } },
      async (request) => catalogue.organisation(principalOf(request)),
    );

    app.get(
      '/api/v1/services',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'Services, optionally filtered by tier, owning team or regulatory scope',
          security: SECURITY,
          querystring: z.strictObject({
            tier: z.coerce.number().int().min(1).max(4).optional(),
            team: z.string().min(1).optional(),
            scope: z.enum(['dora-cif', 'pci', 'personal-data', 'nis2', 'sox']).optional(),
          }),
        },
      },
      async (request) => {
        const { tier, team, scope } = request.query;
        const tierFilter = tier === 1 || tier === 2 || tier === 3 || tier === 4 ? tier : undefined;
        const services = catalogue.listServices(principalOf(request), { tier: tierFilter, team, scope });
        return { items: services.map(presentService) };
      },
    );

    app.get(
      '/api/v1/services/:name',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'One service with its dependants and important business services',
          security: SECURITY,
          params: NameParams,
        },
      },
      async (request) => presentService(catalogue.service(principalOf(request), request.params.name)),
    );

    app.get(
      '/api/v1/important-business-services',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'Important business services and their impact tolerances',
          security: SECURITY,
        },
      },
      async (request) => ({
        items: catalogue.listImportantBusinessServices(principalOf(request)).map(presentImportantBusinessService),
      }),
    );

    app.get(
      '/api/v1/important-business-services/:name',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'One important business service',
          security: SECURITY,
          params: NameParams,
        },
      },
      async (request) =>
        presentImportantBusinessService(catalogue.importantBusinessService(principalOf(request), request.params.name)),
    );

    app.get(
      '/api/v1/teams',
      { schema: { tags: ['catalogue'], summary: 'Teams, their channels and escalation', security: SECURITY } },
      async (request) => ({ items: catalogue.listTeams(principalOf(request)).map(presentTeam) }),
    );

    app.get(
      '/api/v1/teams/:name',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'One team and the services it owns',
          security: SECURITY,
          params: NameParams,
        },
      },
      async (request) => presentTeam(catalogue.team(principalOf(request), request.params.name)),
    );

    app.get(
      '/api/v1/third-parties',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'Third parties and the services that depend on them',
          security: SECURITY,
        },
      },
      async (request) => ({ items: catalogue.listThirdParties(principalOf(request)) }),
    );

    app.get(
      '/api/v1/third-parties/:name',
      { schema: { tags: ['catalogue'], summary: 'One third party', security: SECURITY, params: NameParams } },
      async (request) => catalogue.thirdParty(principalOf(request), request.params.name),
    );

    app.get(
      '/api/v1/freeze-windows',
      {
        schema: {
          tags: ['catalogue'],
          summary: 'Freeze windows with whether each is in force at a time (now by default) and its next occurrence',
          security: SECURITY,
          querystring: z.strictObject({
            at: z.iso.datetime({ offset: true }).optional(),
            service: z.string().min(1).optional(),
          }),
        },
      },
      async (request) => {
        const { at, service } = request.query;
        const windows = catalogue.freezeWindows(principalOf(request), {
          ...(at === undefined ? {} : { at: new Date(at) }),
          ...(service === undefined ? {} : { service }),
        });
        return { items: windows.map(presentFreezeWindow) };
      },
    );
  };
}
