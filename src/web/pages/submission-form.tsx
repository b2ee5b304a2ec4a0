import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import type { Clock } from '../api-types.js';
import { regimeName } from '../components/clock-table.js';
import { ErrorNotice } from '../components/page.js';

/**
 * Records that a report went to its authority, now, with the authority's reference if there is one. The clock that
 * waited for it is then met or missed, and the next clock anchored on it starts.
 */
export function SubmissionForm({
  incidentId,
  clock,
  onDone,
}: {
  readonly incidentId: string;
  readonly clock: Clock;
  readonly onDone: (recorded: boolean) => void;
}) {
  const [reference, setReference] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await request(`/api/v1/incidents/${encodeURIComponent(incidentId)}/reports`, {
        method: 'POST',
        body: {
          regime: clock.regime,
          report: clock.report,
          ...(reference.trim() === '' ? {} : { reference: reference.trim() }),
        },
      });
      onDone(true);
    } catch (caught: unknown) {
      setError(
        caught instanceof ApiError ? caught : new ApiError('the submission could not be recorded', 0, 'CLIENT', []),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel" onSubmit={(event) => void submit(event)} aria-labelledby="submission-heading">
      <h3 id="submission-heading">
        Record {regimeName(clock.regime)}: {clock.title} as submitted now
      </h3>
      <div class="field">
        <label for="submission-reference">Reference from the authority (optional)</label>
        <input
          id="submission-reference"
          type="text"
          maxLength={200}
          value={reference}
          onInput={(event) => setReference(event.currentTarget.value)}
        />
      </div>
      <button type="submit" disabled={busy}>
        Record submission
      </button>{' '}
      <button type="button" class="secondary" onClick={() => onDone(false)}>
        Cancel
      </button>
      <ErrorNotice error={error} what="record the submission" />
    </form>
  );
}
