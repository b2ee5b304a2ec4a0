import type { SloDefinition } from '../slo/types.js';

/** The validated reliability catalogue: what sre-agent knows about the organisation it serves. */

export type Tier = 1 | 2 | 3 | 4;

export type RegulatoryScope = 'dora-cif' | 'pci' | 'personal-data' | 'nis2' | 'sox';

export type Nis2Status = 'essential' | 'important' | 'none';

export interface EntityFlags {
  readonly creditInstitution: boolean;
  readonly paymentServiceProvider: boolean;
  readonly nis2: Nis2Status;
  readonly ukEnhancedReporting: boolean;
}

export interface Organisation {
  readonly name: string;
  readonly lei: string | undefined;
  readonly timeZone: string;
  readonly countries: ReadonlyArray<string>;
  readonly entity: EntityFlags;
}

export type ChannelType = 'slack' | 'teams' | 'email' | 'pagerduty' | 'webhook' | 'phone';

export interface Channel {
  readonly type: ChannelType;
  readonly target: string;
}

export interface EscalationStep {
  /** Milliseconds after the page before this step is notified. */
  readonly after: number;
  readonly contacts: ReadonlyArray<string>;
}

export interface Team {
  readonly name: string;
  readonly displayName: string | undefined;
  readonly members: ReadonlyArray<string>;
  readonly channels: ReadonlyArray<Channel>;
  readonly escalation: ReadonlyArray<EscalationStep>;
}

export type DependencyKind = 'hard' | 'soft';

export interface ServiceDependency {
  readonly service: string;
  readonly kind: DependencyKind;
}

export interface Service {
  readonly name: string;
  readonly displayName: string | undefined;
  readonly team: string;
  readonly tier: Tier;
  readonly description: string;
  readonly runbook: string | undefined;
  readonly dependencies: ReadonlyArray<ServiceDependency>;
  readonly thirdParties: ReadonlyArray<string>;
  readonly regulatoryScope: ReadonlyArray<RegulatoryScope>;
  /** Recovery time objective in milliseconds. */
  readonly rto: number | undefined;
  /** Recovery point objective in milliseconds. */
  readonly rpo: number | undefined;
}

export interface MonetaryAmount {
  readonly amount: number;
  readonly currency: string;
}

export interface ImpactTolerance {
  /** Maximum tolerable disruption in milliseconds. */
  readonly maxTolerableDisruption: number;
  readonly customersAffected: number | undefined;
  readonly transactionCount: number | undefined;
  readonly transactionValue: MonetaryAmount | undefined;
}

export type Regulator = 'FCA' | 'PRA' | 'BoE' | 'ECB' | 'CBI' | 'EBA' | 'ICO' | 'PSR';

export interface ImportantBusinessService {
  readonly name: string;
  readonly description: string;
  readonly services: ReadonlyArray<string>;
  readonly impactTolerance: ImpactTolerance;
  readonly regulators: ReadonlyArray<Regulator>;
}

export type Criticality = 'critical' | 'high' | 'medium' | 'low';

export interface ThirdParty {
  readonly name: string;
  readonly lei: string | undefined;
  readonly criticality: Criticality;
  readonly description: string | undefined;
  /** Every service that depends on this third party, from either side of the declaration. */
  readonly services: ReadonlyArray<string>;
}

export type FreezeScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'tiers'; readonly tiers: ReadonlyArray<Tier> }
  | { readonly kind: 'services'; readonly services: ReadonlyArray<string> };

export type FreezeSchedule =
  | { readonly kind: 'once'; readonly start: string; readonly end: string }
  | {
      readonly kind: 'recurring';
      readonly cron: string;
      /** Length of each occurrence in milliseconds. */
      readonly duration: number;
      readonly timeZone: string;
    };

export interface FreezeWindow {
  readonly name: string;
  readonly reason: string;
  readonly scope: FreezeScope;
  readonly schedule: FreezeSchedule;
}

export interface Catalogue {
  readonly organisation: Organisation;
  readonly teams: ReadonlyArray<Team>;
  readonly services: ReadonlyArray<Service>;
  readonly importantBusinessServices: ReadonlyArray<ImportantBusinessService>;
  readonly thirdParties: ReadonlyArray<ThirdParty>;
  readonly freezeWindows: ReadonlyArray<FreezeWindow>;
  /** Every SLO, from Sloth and OpenSLO documents beside the catalogue, checked against its services. */
  readonly slos: ReadonlyArray<SloDefinition>;
}

export type CatalogueProblemCode =
  | 'yaml-syntax'
  | 'unknown-document'
  | 'unknown-field'
  | 'missing-field'
  | 'wrong-type'
  | 'invalid-value'
  | 'unknown-reference'
  | 'duplicate-name'
  | 'dependency-cycle'
  | 'ibs-without-service'
  | 'organisation-count'
  | 'no-files';

/** One located problem, rendered as `file:line:column: message (path)`. */
export interface CatalogueProblem {
  readonly code: CatalogueProblemCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Path to the field inside its document, such as `services[3].dependencies[1]`. */
  readonly path: string;
  readonly message: string;
}

export interface CatalogueSourceFile {
  /** The name shown in problems, relative to where the user pointed. */
  readonly name: string;
  readonly text: string;
}

export type CatalogueResult =
  | { readonly ok: true; readonly catalogue: Catalogue; readonly digest: string }
  | { readonly ok: false; readonly problems: ReadonlyArray<CatalogueProblem> };
