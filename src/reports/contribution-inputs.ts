/**
 * Builds each generator's input from a loaded catalogue, so a caller holding a `CatalogueIndex` and an
 * application view needs only one call. Pure look-ups; `undefined` when the subject is not in the catalogue.
 * @module
 */
import type { CatalogueIndex, ServiceView } from '../catalogue/index.js';
import type { Clock } from '../incidents/index.js';
import type {
  ChangeContributionInput,
  ChangeFacts,
  ContributionPolicies,
  IbsContributionInput,
  IncidentContributionInput,
  IncidentFacts,
  ServiceContributionInput,
  SloStatusFacts,
} from './types.js';

export interface InputOptions {
  readonly timeZone?: string | undefined;
  readonly policies?: ContributionPolicies | undefined;
}

/** Every service that reaches `names` through its dependencies, directly or not, in name order. */
export function dependantsOf(index: CatalogueIndex, names: ReadonlyArray<string>): string[] {
  const targets = new Set(names);
  return index
    .listServices()
    .filter((service) => !targets.has(service.name))
    .filter((service) => index.transitiveDependencies(service.name).some((name) => targets.has(name)))
    .map((service) => service.name)
    .sort();
}

function views(index: CatalogueIndex, names: ReadonlyArray<string>): ServiceView[] {
  return names.flatMap((name) => index.service(name) ?? []);
}

export function serviceContributionInputOf(
  index: CatalogueIndex,
  name: string,
  options: InputOptions & { readonly sloStatuses?: ReadonlyArray<SloStatusFacts> | undefined } = {},
): ServiceContributionInput | undefined {
  const service = index.service(name);
  if (service === undefined) return undefined;
  const catalogue = index.catalogue;
  return {
    service,
    slos: catalogue.slos.filter((slo) => slo.service === name),
    sloStatuses: options.sloStatuses,
    importantBusinessServices: service.importantBusinessServices.flatMap(
      (ibs) => index.importantBusinessService(ibs) ?? [],
    ),
    dependencies: views(index, index.transitiveDependencies(name)),
    dependants: dependantsOf(index, [name]),
    teams: catalogue.teams,
    thirdParties: catalogue.thirdParties,
    freezeWindows: catalogue.freezeWindows,
    timeZone: options.timeZone ?? catalogue.organisation.timeZone,
    policies: options.policies,
  };
}

export function ibsContributionInputOf(
  index: CatalogueIndex,
  name: string,
  options: InputOptions = {},
): IbsContributionInput | undefined {
  const ibs = index.importantBusinessService(name);
  if (ibs === undefined) return undefined;
  const catalogue = index.catalogue;
  const listed = new Set(ibs.services);
  const reached = [...new Set(ibs.services.flatMap((service) => index.transitiveDependencies(service)))].filter(
    (service) => !listed.has(service),
  );
  const all = new Set([...listed, ...reached]);
  return {
    ibs,
    services: views(index, ibs.services),
    indirect: views(index, reached),
    teams: catalogue.teams,
    thirdParties: catalogue.thirdParties,
    slos: catalogue.slos.filter((slo) => all.has(slo.service)),
    organisation: catalogue.organisation,
    timeZone: options.timeZone ?? catalogue.organisation.timeZone,
  };
}

export function changeContributionInputOf(
  index: CatalogueIndex,
  change: ChangeFacts,
  options: InputOptions & {
    readonly budgets?: ReadonlyArray<{ readonly sloId: string; readonly remaining: number }> | undefined;
  } = {},
): ChangeContributionInput {
  const catalogue = index.catalogue;
  const services = views(index, change.content.services);
  const ibsNames = [...new Set(services.flatMap((service) => service.importantBusinessServices))];
  const names = new Set(services.map((service) => service.name));
  return {
    change,
    services,
    dependants: dependantsOf(index, [...names]),
    importantBusinessServices: ibsNames.flatMap((ibs) => index.importantBusinessService(ibs) ?? []),
    teams: catalogue.teams,
    freezeWindows: catalogue.freezeWindows,
    slos: catalogue.slos.filter((slo) => names.has(slo.service)),
    budgets: options.budgets,
    timeZone: options.timeZone ?? catalogue.organisation.timeZone,
    policies: options.policies,
  };
}

export function incidentContributionInputOf(
  index: CatalogueIndex,
  incident: IncidentFacts,
  clocks: ReadonlyArray<Clock>,
  options: InputOptions = {},
): IncidentContributionInput {
  const catalogue = index.catalogue;
  const services = views(
    index,
    incident.services.map((service) => service.name),
  );
  const ibsNames = [
    ...new Set([
      ...incident.importantBusinessServices,
      ...services.flatMap((service) => service.importantBusinessServices),
    ]),
  ];
  return {
    incident,
    clocks,
    services,
    importantBusinessServices: ibsNames.flatMap((ibs) => index.importantBusinessService(ibs) ?? []),
    teams: catalogue.teams,
    timeZone: options.timeZone ?? catalogue.organisation.timeZone,
  };
}
