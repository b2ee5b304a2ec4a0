import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import type { Incident } from '../api-types.js';
import { ErrorNotice } from '../components/page.js';

const STATUSES = ['investigating', 'identified', 'monitoring'] as const;

/** Acknowledge and post a status update: the responder's two most frequent steps, recorded with who took them. */
export function IncidentActions({
  incident,
  onChanged,
}: {
  readonly incident: Incident;
  readonly onChanged: () => void;
}) {
  const [message, setMessage] = useState('');
  const [status, setStatus] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const path = `/api/v1/incidents/${encodeURIComponent(incident.id)}`;
  const open = incident.status !== 'resolved' && incident.status !== 'closed';

  const send = async (what: string, action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      await action();
      setDone(what);
      onChanged();
    } catch (caught: unknown) {
      setError(caught instanceof ApiError ? caught : new ApiError('the server could not be reached', 0, 'CLIENT', []));
    } finally {
      setBusy(false);
    }
  };

  // Once resolved the actions go, but the word that it worked stays where the person was looking.
  if (!open) return <div role="status">{done !== undefined && <p class="notice notice-ok">{done}</p>}</div>;
  return (
    <section aria-labelledby="respond-heading" class="panel">
      <h2 id="respond-heading">Respond</h2>
      {incident.timestamps.acknowledged === undefined && (
        <button
          type="button"
          disabled={busy}
          onClick={() => void send('Acknowledged.', () => request(`${path}/acknowledge`, { method: 'POST', body: {} }))}
        >
          Acknowledge {incident.id}
        </button>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (message.trim() === '') {
            setError(new ApiError('write the update first', 400, 'CLIENT', []));
            return;
          }
          void send('Update posted.', async () => {
            await request(`${path}/update`, {
              method: 'POST',
              body: { message: message.trim(), ...(status === '' ? {} : { status }) },
            });
            setMessage('');
          });
        }}
      >
        <div class="field">
          <label for="update-message">Status update</label>
          <input
            id="update-message"
            type="text"
            maxLength={2000}
            value={message}
            onInput={(event) => setMessage(event.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="update-status">New status (optional)</label>
          <select id="update-status" value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
            <option value="">unchanged ({incident.status})</option>
            {STATUSES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={busy}>
          Post update
        </button>
      </form>
      <p>
        <button
          type="button"
          class="secondary"
          disabled={busy}
          onClick={() =>
            void send('Resolved: services not yet restored are recorded as restored now.', () =>
              request(`${path}/resolve`, {
                method: 'POST',
                body: message.trim() === '' ? {} : { message: message.trim() },
              }),
            )
          }
        >
          Resolve {incident.id}
        </button>{' '}
        <span class="small muted">The status update above, if written, goes with it.</span>
      </p>
      <ErrorNotice error={error} what="record that" />
      <div role="status">{done !== undefined && <p class="notice notice-ok">{done}</p>}</div>
    </section>
  );
}
