import type { FreezeWindowView, ImportantBusinessService, ServiceView, TeamView } from '../catalogue/index.js';
import { formatDuration } from '../clock/index.js';

/** API views write durations as the catalogue does (`4h`, `15m`), not as milliseconds. */
function duration(milliseconds: number | undefined): string | undefined {
  return milliseconds === undefined ? undefined : formatDuration(milliseconds);
}

export function presentService(service: ServiceView) {
  return {
    ...service,
    rto: duration(service.rto),
    rpo: duration(service.rpo),
    tightestImpactTolerance: duration(service.tightestImpactTolerance),
  };
}

export function presentTeam(team: TeamView) {
  return {
    ...team,
    escalation: team.escalation.map((step) => ({ ...step, after: formatDuration(step.after) })),
  };
}

export function presentImportantBusinessService(ibs: ImportantBusinessService) {
  return {
    ...ibs,
    impactTolerance: {
      ...ibs.impactTolerance,
      maxTolerableDisruption: formatDuration(ibs.impactTolerance.maxTolerableDisruption),
    },
  };
}

export function presentFreezeWindow(window: FreezeWindowView) {
  const schedule =
    window.schedule.kind === 'recurring'
      ? { ...window.schedule, duration: formatDuration(window.schedule.duration) }
      : window.schedule;
  return { ...window, schedule };
}
