import type { Principal } from '../auth/principal.js';
import type { CatalogueService } from '../catalogue/index.js';
import type { ChangeService } from '../changes/change-service.js';
import type { Clock } from '../clock/index.js';
import { NotFoundError } from '../errors/index.js';
import type { IncidentService } from '../incidents/index.js';
import type { SloService } from '../slo/slo-service.js';
import { changeContribution } from './change-contribution.js';
import { type Contribution, type ContributionKind, renderJson, renderMarkdown } from './contribution.js';
import { type ContributionProblem, checkContribution } from './contribution-checks.js';
import {
  changeContributionInputOf,
  ibsContributionInputOf,
  incidentContributionInputOf,
  serviceContributionInputOf,
} from './contribution-inputs.js';
import { ibsContribution } from './ibs-contribution.js';
import { incidentContribution } from './incident-contribution.js';
import { serviceContribution } from './service-contribution.js';

export interface RenderedContribution {
  readonly kind: ContributionKind;
  readonly subject: string;
  readonly markdown: string;
  readonly json: string;
  /** What the checks found; empty for every contribution sre-agent writes itself. */
  readonly problems: ReadonlyArray<ContributionProblem>;
}

/**
 * The SRE agent's contributions from live data, for the CLI, the HTTP API and MCP alike. Each read goes through the
 * application service that owns it, so the principal's permissions apply as everywhere else.
 */
export class ContributionService {
  private constructor(
    private readonly catalogue: CatalogueService,
    private readonly slos: SloService,
    private readonly changes: ChangeService,
    private readonly incidents: IncidentService,
    private readonly clock: Clock,
    private readonly timeZone: string,
  ) {}

  static create(deps: {
    readonly catalogue: CatalogueService;
    readonly slos: SloService;
    readonly changes: ChangeService;
    readonly incidents: IncidentService;
    readonly clock: Clock;
    readonly timeZone: string;
  }): ContributionService {
    return new ContributionService(deps.catalogue, deps.slos, deps.changes, deps.incidents, deps.clock, deps.timeZone);
  }

  async contribute(principal: Principal, kind: ContributionKind, id: string): Promise<RenderedContribution> {
    const contribution = await this.build(principal, kind, id);
    const markdown = renderMarkdown(contribution);
    return { kind, subject: id, markdown, json: renderJson(contribution), problems: checkContribution(markdown, kind) };
  }

  private async build(principal: Principal, kind: ContributionKind, id: string): Promise<Contribution> {
    const now = this.clock.now();
    const options = { timeZone: this.timeZone };
    switch (kind) {
      case 'service': {
        this.catalogue.service(principal, id);
        const statuses = (await this.slos.list(principal, { service: id })).map((view) => view.status);
        const input = serviceContributionInputOf(this.catalogue.index(), id, { ...options, sloStatuses: statuses });
        if (input === undefined) throw new NotFoundError(`no service "${id}" in the catalogue`);
        return serviceContribution(input, now);
      }
      case 'ibs': {
        this.catalogue.importantBusinessService(principal, id);
        const input = ibsContributionInputOf(this.catalogue.index(), id, options);
        if (input === undefined) throw new NotFoundError(`no important business service "${id}" in the catalogue`);
        return ibsContribution(input, now);
      }
      case 'change': {
        const change = await this.changes.get(principal, id);
        const budgets = [];
        for (const service of change.content.services) {
          for (const view of await this.slos.list(principal, { service })) {
            if (view.status.budgetRemaining !== undefined) {
              budgets.push({ sloId: view.definition.id, remaining: view.status.budgetRemaining });
            }
          }
        }
        return changeContribution(
          changeContributionInputOf(this.catalogue.index(), change, { ...options, budgets }),
          now,
        );
      }
      case 'incident': {
        const incident = await this.incidents.get(principal, id);
        const { clocks } = await this.incidents.clocks(principal, id);
        return incidentContribution(
          incidentContributionInputOf(this.catalogue.index(), incident, clocks, options),
          now,
        );
      }
    }
  }
}
