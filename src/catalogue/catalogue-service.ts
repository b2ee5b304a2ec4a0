import { actorOf, authorise, type Principal } from '../auth/index.js';
import type { Clock } from '../clock/index.js';
import { CatalogueInvalidError, NotFoundError, UnavailableError } from '../errors/index.js';
import type { Ledger } from '../ledger/index.js';
import {
  type CatalogueCounts,
  CatalogueIndex,
  type ServiceFilter,
  type ServiceView,
  type TeamView,
} from './catalogue-index.js';
import { CATALOGUE_LOAD_REFUSED, CATALOGUE_LOADED } from './catalogue-load-projector.js';
import { freezeAppliesTo, nextOccurrence, occurrenceAt } from './freeze-windows.js';
import { formatProblem } from './parse-catalogue.js';
import type {
  CatalogueProblem,
  CatalogueResult,
  FreezeWindow,
  ImportantBusinessService,
  Organisation,
  ThirdParty,
} from './types.js';

export interface CatalogueStatus {
  readonly loaded: boolean;
  readonly source: string;
  readonly digest: string | undefined;
  readonly loadedAt: string | undefined;
  readonly loadedBy: string | undefined;
  readonly counts: CatalogueCounts | undefined;
}

export interface FreezeWindowView extends FreezeWindow {
  readonly activeNow: boolean;
  readonly current: { readonly start: string; readonly end: string } | undefined;
  readonly next: { readonly start: string; readonly end: string } | undefined;
}

export type CatalogueReader = (source: string) => Promise<CatalogueResult>;

interface Loaded {
  readonly index: CatalogueIndex;
  readonly digest: string;
  readonly loadedAt: string;
  readonly loadedBy: string;
}

/** Holds the catalogue in force; a reload that fails validation leaves it untouched. */
export class CatalogueService {
  private loaded: Loaded | undefined;

  private constructor(
    private readonly source: string,
    private readonly read: CatalogueReader,
    private readonly ledger: Ledger,
    private readonly clock: Clock,
    private readonly onLoad: (outcome: 'loaded' | 'refused') => void,
  ) {}

  static create(deps: {
    readonly source: string;
    readonly read: CatalogueReader;
    readonly ledger: Ledger;
    readonly clock: Clock;
    readonly onLoad?: (outcome: 'loaded' | 'refused') => void;
  }): CatalogueService {
    return new CatalogueService(deps.source, deps.read, deps.ledger, deps.clock, deps.onLoad ?? (() => {}));
  }

  /**
   * For one CLI command: reads the catalogue to work with, without recording a load, since the command does not
   * change what a server has in force. Refuses a catalogue with problems, as `reload` does.
   */
  async readForCommand(): Promise<CatalogueStatus> {
    const result = await this.read(this.source);
    if (!result.ok)
      throw invalidCatalogue(this.source, result.problems, `fix them first (sre-agent validate ${this.source})`);
    this.loaded = {
      index: CatalogueIndex.of(result.catalogue),
      digest: result.digest,
      loadedAt: this.clock.now().toISOString(),
      loadedBy: 'cli',
    };
    return this.status();
  }

  /** Reads and validates the catalogue source; on success it replaces the catalogue in force. */
  async reload(principal: Principal): Promise<CatalogueStatus> {
    authorise(principal, 'catalogue:reload');
    const result = await this.read(this.source);
    const actor = actorOf(principal);
    if (!result.ok) {
      await this.ledger.append({
        actor,
        type: CATALOGUE_LOAD_REFUSED,
        subject: 'catalogue',
        data: {
          source: this.source,
          digest: null,
          summary: { problems: result.problems.length, first: result.problems.slice(0, 5).map(formatProblem) },
        },
      });
      this.onLoad('refused');
      const kept = this.loaded === undefined ? 'no catalogue is loaded' : 'the catalogue already loaded stays in force';
      throw invalidCatalogue(this.source, result.problems, kept);
    }
    const index = CatalogueIndex.of(result.catalogue);
    const event = await this.ledger.append({
      actor,
      type: CATALOGUE_LOADED,
      subject: 'catalogue',
      data: { source: this.source, digest: result.digest, summary: { ...index.counts() } },
    });
    this.loaded = { index, digest: result.digest, loadedAt: event.time, loadedBy: actor };
    this.onLoad('loaded');
    return this.status();
  }

  /** The status, for a principal allowed to read the catalogue. */
  describe(principal: Principal): CatalogueStatus {
    authorise(principal, 'catalogue:read');
    return this.status();
  }

  status(): CatalogueStatus {
    const loaded = this.loaded;
    return {
      loaded: loaded !== undefined,
      source: this.source,
      digest: loaded?.digest,
      loadedAt: loaded?.loadedAt,
      loadedBy: loaded?.loadedBy,
      counts: loaded?.index.counts(),
    };
  }

  /** The catalogue in force, for other areas; throws UnavailableError before the first successful load. */
  index(): CatalogueIndex {
    if (this.loaded === undefined) throw new UnavailableError('no catalogue is loaded yet');
    return this.loaded.index;
  }

  organisation(principal: Principal): Organisation {
    authorise(principal, 'catalogue:read');
    return this.index().catalogue.organisation;
  }

  listServices(principal: Principal, filter: ServiceFilter = {}): ServiceView[] {
    authorise(principal, 'catalogue:read');
    return this.index().listServices(filter);
  }

  service(principal: Principal, name: string): ServiceView {
    authorise(principal, 'catalogue:read');
    return found(this.index().service(name), 'service', name);
  }

  listTeams(principal: Principal): TeamView[] {
    authorise(principal, 'catalogue:read');
    return this.index().listTeams();
  }

  team(principal: Principal, name: string): TeamView {
    authorise(principal, 'catalogue:read');
    return found(this.index().team(name), 'team', name);
  }

  listImportantBusinessServices(principal: Principal): ImportantBusinessService[] {
    authorise(principal, 'catalogue:read');
    return this.index().listImportantBusinessServices();
  }

  importantBusinessService(principal: Principal, name: string): ImportantBusinessService {
    authorise(principal, 'catalogue:read');
    return found(this.index().importantBusinessService(name), 'important business service', name);
  }

  listThirdParties(principal: Principal): ThirdParty[] {
    authorise(principal, 'catalogue:read');
    return this.index().listThirdParties();
  }

  thirdParty(principal: Principal, name: string): ThirdParty {
    authorise(principal, 'catalogue:read');
    return found(this.index().thirdParty(name), 'third party', name);
  }

  /** Every freeze window with its state at `at` (now by default), optionally only those covering one service. */
  freezeWindows(
    principal: Principal,
    options: { readonly at?: Date; readonly service?: string } = {},
  ): FreezeWindowView[] {
    authorise(principal, 'catalogue:read');
    const index = this.index();
    const at = options.at ?? this.clock.now();
    const service =
      options.service === undefined ? undefined : found(index.service(options.service), 'service', options.service);
    return index.catalogue.freezeWindows
      .filter((window) => service === undefined || freezeAppliesTo(window, service))
      .map((window) => {
        const current = occurrenceAt(window, at);
        const next = nextOccurrence(window, current?.end ?? at);
        return {
          ...window,
          activeNow: current !== undefined,
          current:
            current === undefined ? undefined : { start: current.start.toISOString(), end: current.end.toISOString() },
          next: next === undefined ? undefined : { start: next.start.toISOString(), end: next.end.toISOString() },
        };
      });
  }
}

function found<T>(value: T | undefined, kind: string, name: string): T {
  if (value === undefined) throw new NotFoundError(`no ${kind} named "${name}" in the catalogue`);
  return value;
}

function invalidCatalogue(
  source: string,
  problems: ReadonlyArray<CatalogueProblem>,
  consequence: string,
): CatalogueInvalidError {
  return new CatalogueInvalidError(
    `the catalogue at ${source} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; ${consequence}`,
    {
      details: problems.map((problem) => ({
        path: problem.path,
        message: problem.message,
        file: problem.file,
        line: problem.line,
        column: problem.column,
      })),
    },
  );
}
