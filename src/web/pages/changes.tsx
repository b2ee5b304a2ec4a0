import { useState } from 'preact/hooks';
import { query, request } from '../api.js';
import type { Change, Items } from '../api-types.js';
import { ErrorNotice, Page } from '../components/page.js';
import { Badge, riskTone } from '../components/status.js';
import { formatTime } from '../format.js';
import { REFRESH_MS, useLoad, useSession } from '../hooks.js';

const STATUSES = [
  '',
  'draft',
  'submitted',
  'approved',
  'rejected',
  'implementing',
  'implemented',
  'failed',
  'rolled-back',
  'reviewed',
] as const;

export function ChangesPage() {
  const session = useSession();
  const [status, setStatus] = useState('');
  const changes = useLoad(
    () => request<Items<Change>>(`/api/v1/changes${query({ status: status === '' ? undefined : status, limit: 200 })}`),
    `changes|${status}`,
    REFRESH_MS,
  );
  return (
    <Page name="changes" title="Changes" busy={changes.loading}>
      <label for="status-filter">Show</label>{' '}
      <select id="status-filter" value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
        {STATUSES.map((value) => (
          <option key={value} value={value}>
            {value === '' ? 'every status' : value}
          </option>
        ))}
      </select>
      <ErrorNotice error={changes.error} what="load changes" />
      {changes.data?.items.length === 0 && <p>No change matches.</p>}
      {changes.data !== undefined && changes.data.items.length > 0 && (
        <table>
          <caption class="visually-hidden">Change requests, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">Risk</th>
              <th scope="col">Services</th>
              <th scope="col">Requester</th>
              <th scope="col">Raised</th>
            </tr>
          </thead>
          <tbody>
            {changes.data.items.map((change) => (
              <tr key={change.id} data-change={change.id}>
                <th scope="row">
                  <a href={`#/changes/${encodeURIComponent(change.id)}`}>
                    {change.id}: {change.content.title}
                  </a>
                </th>
                <td>{change.content.type}</td>
                <td>{change.status}</td>
                <td>
                  {change.risk === undefined ? (
                    '—'
                  ) : (
                    <Badge tone={riskTone(change.risk.level)} label={change.risk.level} />
                  )}
                </td>
                <td>{change.content.services.join(', ')}</td>
                <td>{change.requester}</td>
                <td>{formatTime(change.createdAt, session.timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
