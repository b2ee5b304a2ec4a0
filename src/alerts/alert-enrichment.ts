import type { CatalogueIndex } from '../catalogue/index.js';
import type { Labels } from './fingerprint.js';
import type { AlertEnrichment } from './types.js';

const UNMAPPED: AlertEnrichment = {
  service: undefined,
  team: undefined,
  tier: undefined,
  importantBusinessServices: [],
  runbook: undefined,
};

/** The catalogue's owner, tier, important business services and runbook for the service an alert names. */
export function enrichAlert(
  catalogue: CatalogueIndex | undefined,
  alert: { readonly labels: Labels; readonly annotations: Labels },
  serviceLabel: string,
): AlertEnrichment {
  const name = alert.labels[serviceLabel];
  const service = name === undefined ? undefined : catalogue?.service(name);
  const runbookAnnotation = alert.annotations.runbook_url ?? alert.annotations.runbook;
  if (service === undefined) return { ...UNMAPPED, runbook: runbookAnnotation };
  return {
    service: service.name,
    team: service.team,
    tier: service.tier,
    importantBusinessServices: service.importantBusinessServices,
    runbook: runbookAnnotation ?? service.runbook,
  };
}

/**
 * Alerts with the same key join one open incident: the important business service a service supports (the first,
 * in catalogue order), else the service itself. An alert for no catalogue service has no key and declares nothing.
 */
export function correlationKeyOf(enrichment: AlertEnrichment): string | undefined {
  const ibs = enrichment.importantBusinessServices[0];
  if (ibs !== undefined) return `ibs:${ibs}`;
  return enrichment.service === undefined ? undefined : `service:${enrichment.service}`;
}
