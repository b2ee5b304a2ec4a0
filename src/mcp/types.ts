import type { AlertService } from '../alerts/index.js';
import type { Principal } from '../auth/index.js';
import type { CatalogueService } from '../catalogue/index.js';
import type { ChangeService } from '../changes/change-service.js';
import type { GateService } from '../changes/gate-service.js';
import type { IncidentService } from '../incidents/index.js';
import type { LedgerService } from '../ledger/index.js';
import type { SloService } from '../slo/slo-service.js';

export const CONTRIBUTE_KINDS = ['service', 'ibs', 'change', 'incident'] as const;
export type ContributeKind = (typeof CONTRIBUTE_KINDS)[number];

/** Writes the Markdown a contributor needs about one service, important business service, change or incident. */
export type Contribute = (principal: Principal, kind: ContributeKind, id: string) => Promise<string>;

/** The slice of each application service the MCP server calls; a `Runtime` has every one of them. */
export interface McpServices {
  readonly catalogue: Pick<
    CatalogueService,
    'describe' | 'listServices' | 'service' | 'importantBusinessService' | 'listImportantBusinessServices' | 'listTeams'
  >;
  readonly slos: Pick<SloService, 'list' | 'get'>;
  readonly alerts: Pick<AlertService, 'list'>;
  readonly incidents: Pick<IncidentService, 'list' | 'get' | 'timeline' | 'clocks' | 'report' | 'declare' | 'update'>;
  readonly changes: Pick<ChangeService, 'get' | 'create'>;
  readonly gate: Pick<GateService, 'check'>;
  readonly ledgerService: Pick<LedgerService, 'prove'>;
}

export interface McpDependencies extends McpServices {
  /** Without it, the `contribute` tool is left out. */
  readonly contribute?: Contribute | undefined;
  /** The persona text; without it, the `persona` prompt is left out. */
  readonly persona?: string | undefined;
}

/** What the tool, resource and prompt handlers of one server share. */
export interface McpContext {
  readonly deps: McpDependencies;
  readonly principal: Principal;
  readonly limit: number;
  readonly onUnexpected: (error: unknown) => void;
}
