import type { Catalogue, ImportantBusinessService, Service, Team, ThirdParty, Tier } from './types.js';

/** A service with what the rest of the catalogue says about it. */
export interface ServiceView extends Service {
  readonly dependants: ReadonlyArray<string>;
  readonly importantBusinessServices: ReadonlyArray<string>;
  /** The tightest impact tolerance of the important business services it supports, in milliseconds. */
  readonly tightestImpactTolerance: number | undefined;
}

export interface TeamView extends Team {
  readonly services: ReadonlyArray<string>;
}

export interface ServiceFilter {
  readonly tier?: Tier | undefined;
  readonly team?: string | undefined;
  readonly scope?: string | undefined;
}

/** Look-ups over one loaded catalogue, computed once per load. */
export class CatalogueIndex {
  private readonly services = new Map<string, ServiceView>();
  private readonly teams = new Map<string, TeamView>();
  private readonly ibses: ReadonlyMap<string, ImportantBusinessService>;
  private readonly thirdParties: ReadonlyMap<string, ThirdParty>;

  private constructor(readonly catalogue: Catalogue) {
    const dependants = new Map<string, string[]>();
    for (const service of catalogue.services) {
      for (const dependency of service.dependencies) {
        const list = dependants.get(dependency.service) ?? [];
        list.push(service.name);
        dependants.set(dependency.service, list);
      }
    }
    const supported = new Map<string, ImportantBusinessService[]>();
    for (const ibs of catalogue.importantBusinessServices) {
      for (const name of ibs.services) {
        const list = supported.get(name) ?? [];
        list.push(ibs);
        supported.set(name, list);
      }
    }
    for (const service of catalogue.services) {
      const ibses = supported.get(service.name) ?? [];
      const tolerances = ibses.map((ibs) => ibs.impactTolerance.maxTolerableDisruption);
      this.services.set(service.name, {
        ...service,
        dependants: [...(dependants.get(service.name) ?? [])].sort(),
        importantBusinessServices: ibses.map((ibs) => ibs.name),
        tightestImpactTolerance: tolerances.length === 0 ? undefined : Math.min(...tolerances),
      });
    }
    for (const team of catalogue.teams) {
      this.teams.set(team.name, {
        ...team,
        services: catalogue.services.filter((service) => service.team === team.name).map((service) => service.name),
      });
    }
    this.ibses = new Map(catalogue.importantBusinessServices.map((ibs) => [ibs.name, ibs]));
    this.thirdParties = new Map(catalogue.thirdParties.map((party) => [party.name, party]));
  }

  static of(catalogue: Catalogue): CatalogueIndex {
    return new CatalogueIndex(catalogue);
  }

  listServices(filter: ServiceFilter = {}): ServiceView[] {
    return [...this.services.values()].filter(
      (service) =>
        (filter.tier === undefined || service.tier === filter.tier) &&
        (filter.team === undefined || service.team === filter.team) &&
        (filter.scope === undefined || service.regulatoryScope.some((scope) => scope === filter.scope)),
    );
  }

  service(name: string): ServiceView | undefined {
    return this.services.get(name);
  }

  listTeams(): TeamView[] {
    return [...this.teams.values()];
  }

  team(name: string): TeamView | undefined {
    return this.teams.get(name);
  }

  listImportantBusinessServices(): ImportantBusinessService[] {
    return [...this.ibses.values()];
  }

  importantBusinessService(name: string): ImportantBusinessService | undefined {
    return this.ibses.get(name);
  }

  listThirdParties(): ThirdParty[] {
    return [...this.thirdParties.values()];
  }

  thirdParty(name: string): ThirdParty | undefined {
    return this.thirdParties.get(name);
  }

  /** Every service that `name` reaches through its dependencies, nearest first, `name` excluded. */
  transitiveDependencies(name: string): string[] {
    const seen = new Set<string>([name]);
    const order: string[] = [];
    const queue = [name];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const dependency of this.services.get(next)?.dependencies ?? []) {
        if (!seen.has(dependency.service)) {
          seen.add(dependency.service);
          order.push(dependency.service);
          queue.push(dependency.service);
        }
      }
    }
    return order;
  }

  counts(): CatalogueCounts {
    return {
      teams: this.catalogue.teams.length,
      services: this.catalogue.services.length,
      importantBusinessServices: this.catalogue.importantBusinessServices.length,
      thirdParties: this.catalogue.thirdParties.length,
      freezeWindows: this.catalogue.freezeWindows.length,
      slos: this.catalogue.slos.length,
    };
  }
}

export type CatalogueCounts = {
  readonly teams: number;
  readonly services: number;
  readonly importantBusinessServices: number;
  readonly thirdParties: number;
  readonly freezeWindows: number;
  readonly slos: number;
};
