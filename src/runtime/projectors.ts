import { alertProjector } from '../alerts/index.js';
import { tokenProjector } from '../auth/index.js';
import { catalogueLoadProjector } from '../catalogue/index.js';
import { changeProjector } from '../changes/change-events.js';
import { incidentProjector } from '../incidents/index.js';
import { ProjectorRegistry } from '../ledger/index.js';
import { sloTierProjector } from '../slo/slo-tier-projector.js';

/** Every projector, so that appends and `ledger replay` agree on what each event type writes. */
export function allProjectors(): ProjectorRegistry {
  return ProjectorRegistry.of([
    tokenProjector,
    catalogueLoadProjector,
    sloTierProjector,
    alertProjector,
    incidentProjector,
    changeProjector,
  ]);
}
