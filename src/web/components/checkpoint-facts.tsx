import type { Checkpoint } from '../api-types.js';
import { formatTime } from '../format.js';

/** A signed checkpoint's size, root, time and origin, as the overview and the ledger page show it. */
export function CheckpointFacts({
  checkpoint,
  timeZone,
}: {
  readonly checkpoint: Checkpoint;
  readonly timeZone: string;
}) {
  return (
    <dl class="facts">
      <dt>Entries</dt>
      <dd class="number">{checkpoint.size}</dd>
      <dt>Root hash</dt>
      <dd>
        <code class="hash">{checkpoint.root}</code>
      </dd>
      <dt>Signed</dt>
      <dd>{formatTime(checkpoint.signedAt, timeZone, true)}</dd>
      <dt>Origin</dt>
      <dd>{checkpoint.origin}</dd>
    </dl>
  );
}
