import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import { ErrorNotice } from '../components/page.js';

const ROLES = [
  { value: 'commander', label: 'Incident commander' },
  { value: 'communications', label: 'Communications lead' },
  { value: 'operations', label: 'Operations lead' },
] as const;

/** Names who holds a role; the ledger records who named them and when. */
export function RoleForm({ incidentId, onAssigned }: { readonly incidentId: string; readonly onAssigned: () => void }) {
  const [role, setRole] = useState<string>('commander');
  const [assignee, setAssignee] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setError(undefined);
    setDone(undefined);
    if (assignee.trim() === '') {
      setError(new ApiError('name the person who takes the role', 400, 'CLIENT', []));
      return;
    }
    setBusy(true);
    try {
      await request(`/api/v1/incidents/${encodeURIComponent(incidentId)}/assign`, {
        method: 'POST',
        body: { role, assignee: assignee.trim() },
      });
      setDone(`${ROLES.find((option) => option.value === role)?.label ?? role}: ${assignee.trim()}.`);
      setAssignee('');
      onAssigned();
    } catch (caught: unknown) {
      setError(caught instanceof ApiError ? caught : new ApiError('the role could not be assigned', 0, 'CLIENT', []));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(event) => void submit(event)} class="role-form">
      <div class="field">
        <label for="role">Role</label>
        <select id="role" value={role} onChange={(event) => setRole(event.currentTarget.value)}>
          {ROLES.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="assignee">Person</label>
        <input
          id="assignee"
          type="text"
          maxLength={200}
          value={assignee}
          onInput={(event) => setAssignee(event.currentTarget.value)}
        />
      </div>
      <button type="submit" disabled={busy}>
        Assign role
      </button>
      <ErrorNotice error={error} what="assign the role" />
      <div role="status">{done !== undefined && <p class="notice notice-ok">{done}</p>}</div>
    </form>
  );
}
