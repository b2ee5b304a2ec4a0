import { query, request } from '../api.js';
import type { IncidentSummary, Items } from '../api-types.js';
import { ErrorNotice, Page } from '../components/page.js';
import { Badge, severityTone } from '../components/status.js';
import { formatTime } from '../format.js';
import { REFRESH_MS, useLoad, useSession } from '../hooks.js';

export function IncidentsPage() {
  const session = useSession();
  const incidents = useLoad(
    () => request<Items<IncidentSummary>>(`/api/v1/incidents${query({ limit: 200 })}`),
    'incidents',
    REFRESH_MS,
  );
  return (
    <Page name="incidents" title="Incidents" busy={incidents.loading}>
      <ErrorNotice error={incidents.error} what="load incidents" />
      {incidents.data?.items.length === 0 && <p>No incident has been declared.</p>}
      {incidents.data !== undefined && incidents.data.items.length > 0 && (
        <table>
          <caption class="visually-hidden">Incidents, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Incident</th>
              <th scope="col">Severity</th>
              <th scope="col">Status</th>
              <th scope="col">Services</th>
              <th scope="col">Declared</th>
            </tr>
          </thead>
          <tbody>
            {incidents.data.items.map((incident) => (
              <tr key={incident.id}>
                <th scope="row">
                  <a href={`#/incidents/${encodeURIComponent(incident.id)}`}>
                    {incident.id}: {incident.title}
                  </a>
                </th>
                <td>
                  <Badge tone={severityTone(incident.severity)} label={incident.severity} />
                </td>
                <td>
                  {incident.status}
                  {!incident.acknowledged &&
                    incident.status !== 'resolved' &&
                    incident.status !== 'closed' &&
                    ' (not acknowledged)'}
                </td>
                <td>{incident.services.join(', ')}</td>
                <td>{formatTime(incident.declaredAt, session.timeZone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
