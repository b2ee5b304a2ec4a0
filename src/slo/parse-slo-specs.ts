import type { CatalogueProblem } from '../catalogue/types.js';
import { parseOpenSloSpecs } from './openslo-spec.js';
import { parseSlothSpec } from './sloth-spec.js';
import type { LocatedSpec } from './spec-support.js';
import type { SloDefinition } from './types.js';

export interface SloSpecsResult {
  readonly slos: ReadonlyArray<SloDefinition>;
  readonly problems: ReadonlyArray<CatalogueProblem>;
}

/**
 * Reads every SLO document of the catalogue, Sloth and OpenSLO alike, into SLO definitions for the given services;
 * every problem is located like the catalogue's own.
 */
export function parseSloSpecs(
  sloth: ReadonlyArray<LocatedSpec>,
  openSlo: ReadonlyArray<LocatedSpec>,
  services: ReadonlySet<string>,
): SloSpecsResult {
  const problems: CatalogueProblem[] = [];
  const slos: SloDefinition[] = [];
  for (const spec of sloth) {
    const parsed = parseSlothSpec(spec, services);
    slos.push(...parsed.slos);
    problems.push(...parsed.problems);
  }
  const fromOpenSlo = parseOpenSloSpecs(openSlo, services);
  slos.push(...fromOpenSlo.slos);
  problems.push(...fromOpenSlo.problems);

  const seen = new Map<string, SloDefinition>();
  for (const slo of slos) {
    const earlier = seen.get(slo.id);
    if (earlier !== undefined) {
      problems.push({
        code: 'duplicate-name',
        file: slo.source.file,
        line: slo.source.line,
        column: 1,
        path: '(document)',
        message: `a second SLO "${slo.name}" for service "${slo.service}" (the first is at ${earlier.source.file}:${earlier.source.line})`,
      });
    } else {
      seen.set(slo.id, slo);
    }
  }
  return { slos: [...seen.values()], problems };
}
