import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { boundedJson, protocolError } from './tool-output.js';
import type { McpContext } from './types.js';

export const CATALOGUE_RESOURCE = 'sre-agent://catalogue';
export const SLOS_RESOURCE = 'sre-agent://slos';
export const INCIDENT_TIMELINE_TEMPLATE = 'sre-agent://incidents/{id}/timeline';

export function registerResources(server: McpServer, context: McpContext): void {
  const { deps, principal } = context;
  const read = async (uri: URL, narrow: string, work: () => unknown): Promise<ReadResourceResult> => {
    try {
      const value = await work();
      const text = boundedJson(value, context.limit, narrow).text;
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
    } catch (error: unknown) {
      throw protocolError(error, context.onUnexpected);
    }
  };

  server.registerResource(
    'catalogue',
    CATALOGUE_RESOURCE,
    {
      title: 'Catalogue summary',
      description:
        'The catalogue in force: its source, digest and counts, and the services, teams and important business services by name.',
      mimeType: 'application/json',
    },
    async (uri) =>
      read(uri, 'Use the catalogue_services tool with a filter.', () => ({
        status: deps.catalogue.describe(principal),
        services: deps.catalogue
          .listServices(principal)
          .map((service) => ({ name: service.name, tier: service.tier, team: service.team })),
        teams: deps.catalogue.listTeams(principal).map((team) => team.name),
        importantBusinessServices: deps.catalogue.listImportantBusinessServices(principal).map((ibs) => ({
          name: ibs.name,
          services: ibs.services,
        })),
      })),
  );

  server.registerResource(
    'slos',
    SLOS_RESOURCE,
    {
      title: 'SLO status',
      description: 'Every SLO with its error budget remaining, burn rate per window and tier states.',
      mimeType: 'application/json',
    },
    async (uri) =>
      read(uri, 'Use the slo_status tool for one service.', async () => ({ items: await deps.slos.list(principal) })),
  );

  server.registerResource(
    'incident-timeline',
    new ResourceTemplate(INCIDENT_TIMELINE_TEMPLATE, { list: undefined }),
    {
      title: 'Incident timeline',
      description: 'Every ledger event of an incident and of the alerts that joined it, oldest first.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const id = variables.id;
      return read(uri, 'Use the incident_timeline tool.', async () => ({
        items: await deps.incidents.timeline(principal, typeof id === 'string' ? id : (id?.[0] ?? '')),
      }));
    },
  );
}
