import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, query, request, requestText } from '../api.js';
import type { Alert, Clock, Clocks, Incident, Items, LedgerEvent } from '../api-types.js';
import { ClockTable } from '../components/clock-table.js';
import { ErrorNotice, Loading, Page } from '../components/page.js';
import { Badge, severityTone } from '../components/status.js';
import { formatTime, formatUtc } from '../format.js';
import { can, REFRESH_MS, useLoad, useSession } from '../hooks.js';
import { downloadText } from '../lib/download.js';
import { safeHttpUrl } from '../lib/safe-url.js';
import { ClassificationForm } from './classification-form.js';
import { IncidentActions } from './incident-actions.js';
import { RoleForm } from './role-form.js';
import { SubmissionForm } from './submission-form.js';

const REPORTS = [
  { kind: 'review', label: 'Post-incident review' },
  { kind: 'dora-initial', label: 'DORA initial notification' },
  { kind: 'dora-intermediate', label: 'DORA intermediate report' },
  { kind: 'dora-final', label: 'DORA final report' },
] as const;

const ROLE_NAMES: Record<string, string> = {
  commander: 'Incident commander',
  communications: 'Communications lead',
  operations: 'Operations lead',
};

const TIMESTAMP_NAMES: Record<string, string> = {
  occurred: 'Occurred',
  firstEvidence: 'First evidence',
  aware: 'Became aware',
  acknowledged: 'Acknowledged',
  classified: 'Classified',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
  closed: 'Closed',
  rootCauseAddressed: 'Root cause addressed',
};

function linkHref(kind: string, target: string): string | undefined {
  if (kind === 'change') return `#/changes/${encodeURIComponent(target)}`;
  if (kind === 'incident') return `#/incidents/${encodeURIComponent(target)}`;
  return undefined;
}

function describe(event: LedgerEvent): string {
  const data = typeof event.data === 'object' && event.data !== null ? (event.data as Record<string, unknown>) : {};
  const message = data.message ?? data.title ?? data.alertname ?? data.status ?? data.severity;
  return typeof message === 'string' ? message : '';
}

function Reports({ id }: { readonly id: string }) {
  const [shown, setShown] = useState<{ kind: string; text: string } | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const fetchReport = async (kind: string): Promise<string | undefined> => {
    setError(undefined);
    try {
      return await requestText(
        `/api/v1/incidents/${encodeURIComponent(id)}/report${query({ kind, format: 'markdown' })}`,
      );
    } catch (caught: unknown) {
      setError(caught instanceof ApiError ? caught : new ApiError('the draft could not be fetched', 0, 'CLIENT', []));
      return undefined;
    }
  };
  return (
    <>
      <ul class="plain report-list">
        {REPORTS.map(({ kind, label }) => (
          <li key={kind}>
            <span>{label}</span>{' '}
            <button
              type="button"
              class="secondary"
              onClick={() =>
                void fetchReport(kind).then((text) => {
                  if (text !== undefined) setShown({ kind, text });
                })
              }
            >
              Show<span class="visually-hidden"> the {label.toLowerCase()}</span>
            </button>{' '}
            <button
              type="button"
              class="secondary"
              onClick={() =>
                void fetchReport(kind).then((text) => {
                  if (text !== undefined) downloadText(`${id}-${kind}.md`, text, 'text/markdown');
                })
              }
            >
              Download Markdown<span class="visually-hidden"> of the {label.toLowerCase()}</span>
            </button>
          </li>
        ))}
      </ul>
      <ErrorNotice error={error} what="fetch the draft" />
      {shown !== undefined && (
        <section aria-label="Draft shown" class="draft">
          <pre>{shown.text}</pre>
        </section>
      )}
    </>
  );
}

export function IncidentPage({ id }: { readonly id: string }) {
  const session = useSession();
  const encoded = encodeURIComponent(id);
  const incident = useLoad(() => request<Incident>(`/api/v1/incidents/${encoded}`), `incident|${id}`, REFRESH_MS);
  const clocks = useLoad(() => request<Clocks>(`/api/v1/incidents/${encoded}/clocks`), `clocks|${id}`, REFRESH_MS);
  const timeline = useLoad(
    () => request<Items<LedgerEvent>>(`/api/v1/incidents/${encoded}/timeline`),
    `timeline|${id}`,
    REFRESH_MS,
  );
  const alerts = useLoad(
    () => request<Items<Alert>>(`/api/v1/alerts${query({ incident: id, limit: 100 })}`),
    `alerts|${id}`,
    REFRESH_MS,
  );
  const data = incident.data;
  const [submitting, setSubmitting] = useState<Clock | undefined>(undefined);
  const [submitted, setSubmitted] = useState<string | undefined>(undefined);
  const reloadAll = (): void => {
    incident.reload();
    clocks.reload();
    timeline.reload();
  };

  return (
    <Page
      name="incident"
      title={data === undefined ? id : `${data.id}: ${data.title}`}
      busy={incident.loading || clocks.loading}
    >
      <ErrorNotice error={incident.error} what={`load incident ${id}`} />
      {data !== undefined && (
        <>
          <p>
            <Badge tone={severityTone(data.severity)} label={data.severity} /> <Badge tone="info" label={data.status} />{' '}
            Declared {formatTime(data.declaredAt, session.timeZone)} by {data.declaredBy} ({data.origin})
          </p>
          {data.summary !== undefined && <p>{data.summary}</p>}
          {can(session, 'incidents:respond') && <IncidentActions incident={data} onChanged={reloadAll} />}

          <section aria-labelledby="clocks-heading">
            <h2 id="clocks-heading">Regulatory clocks</h2>
            <ErrorNotice error={clocks.error} what="load the clocks" />
            {clocks.data !== undefined && (
              <>
                <ClockTable
                  clocks={clocks.data.clocks}
                  serverAt={clocks.data.at}
                  timeZone={session.timeZone}
                  caption="Clocks running or settled"
                  onRecordSubmission={
                    can(session, 'incidents:respond')
                      ? (clock) => {
                          setSubmitted(undefined);
                          setSubmitting(clock);
                        }
                      : undefined
                  }
                />
                {submitting !== undefined && (
                  <SubmissionForm
                    key={`${submitting.regime}-${submitting.report}`}
                    incidentId={data.id}
                    clock={submitting}
                    onDone={(recorded) => {
                      if (recorded) setSubmitted(`${submitting.title} recorded as submitted.`);
                      setSubmitting(undefined);
                      reloadAll();
                    }}
                  />
                )}
                <div role="status">{submitted !== undefined && <p class="notice notice-ok">{submitted}</p>}</div>
                <details>
                  <summary>Clocks that do not apply, and why</summary>
                  <ul>
                    {clocks.data.clocks
                      .filter((clock) => clock.status === 'not-applicable')
                      .map((clock) => (
                        <li key={`${clock.regime}-${clock.report}`}>
                          {clock.title} ({clock.regime}): {clock.reason}
                        </li>
                      ))}
                  </ul>
                </details>
              </>
            )}
          </section>

          <div class="columns">
            <section aria-labelledby="roles-heading">
              <h2 id="roles-heading">Roles</h2>
              {Object.keys(data.roles).length === 0 ? (
                <p>No role assigned yet.</p>
              ) : (
                <dl class="facts">
                  {Object.entries(data.roles).map(([role, assigned]) => (
                    <Fragment key={role}>
                      <dt>{ROLE_NAMES[role] ?? role}</dt>
                      <dd>{assigned.assignee}</dd>
                    </Fragment>
                  ))}
                </dl>
              )}
              {can(session, 'incidents:respond') && data.status !== 'closed' && (
                <RoleForm incidentId={data.id} onAssigned={reloadAll} />
              )}
            </section>
            <section aria-labelledby="times-heading">
              <h2 id="times-heading">Times</h2>
              <table class="compact">
                <thead>
                  <tr>
                    <th scope="col">Moment</th>
                    <th scope="col">{session.timeZone}</th>
                    <th scope="col">UTC</th>
                    <th scope="col">Set by</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(data.timestamps).map(([name, stamp]) => (
                    <tr key={name}>
                      <th scope="row">{TIMESTAMP_NAMES[name] ?? name}</th>
                      <td>{formatTime(stamp.at, session.timeZone, true)}</td>
                      <td>{formatUtc(stamp.at)}</td>
                      <td>{stamp.by}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>

          <section aria-labelledby="services-heading">
            <h2 id="services-heading">Services and important business services</h2>
            <ul>
              {data.services.map((service) => (
                <li key={service.name}>
                  <a href={`#/services/${encodeURIComponent(service.name)}`}>{service.name}</a>: degraded{' '}
                  {formatTime(service.degradedAt, session.timeZone)}
                  {service.restoredAt === undefined
                    ? ', not yet restored'
                    : `, restored ${formatTime(service.restoredAt, session.timeZone)}`}
                </li>
              ))}
            </ul>
            {data.importantBusinessServices.length > 0 && (
              <p>Important business services affected: {data.importantBusinessServices.join(', ')}</p>
            )}
          </section>

          <section aria-labelledby="links-heading">
            <h2 id="links-heading">Linked changes, SLOs and incidents</h2>
            {data.links.length === 0 && <p>Nothing linked yet.</p>}
            <ul>
              {data.links.map((link) => {
                const href = linkHref(link.kind, link.target);
                return (
                  <li key={`${link.kind}-${link.target}`}>
                    {link.kind} {href === undefined ? <code>{link.target}</code> : <a href={href}>{link.target}</a>} (
                    {link.relation})
                  </li>
                );
              })}
            </ul>
          </section>

          <section aria-labelledby="alerts-heading">
            <h2 id="alerts-heading">
              Alerts ({data.alerts.firing} firing, {data.alerts.resolved} resolved)
            </h2>
            <ErrorNotice error={alerts.error} what="load alerts" />
            {alerts.data !== undefined && alerts.data.items.length > 0 && (
              <table class="compact">
                <thead>
                  <tr>
                    <th scope="col">Alert</th>
                    <th scope="col">State</th>
                    <th scope="col">Service</th>
                    <th scope="col">Fired</th>
                    <th scope="col">Summary</th>
                  </tr>
                </thead>
                <tbody>
                  {alerts.data.items.map((alert) => (
                    <tr key={alert.fingerprint}>
                      <th scope="row">{alert.alertname}</th>
                      <td>
                        <Badge tone={alert.status === 'firing' ? 'bad' : 'good'} label={alert.status} />
                      </td>
                      <td>{alert.enrichment?.service ?? '—'}</td>
                      <td>{formatTime(alert.firedAt, session.timeZone, true)}</td>
                      <td>
                        {alert.annotations.summary ?? alert.annotations.description ?? ''}
                        {safeHttpUrl(alert.enrichment?.runbook) !== undefined && (
                          <>
                            {' '}
                            (<a href={safeHttpUrl(alert.enrichment?.runbook)}>runbook</a>)
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <section aria-labelledby="classification-heading">
            <h2 id="classification-heading">Classification</h2>
            {data.classification === undefined ? (
              <p>Not classified yet: the DORA clocks start from the classification.</p>
            ) : (
              <p>
                Classified {formatTime(data.classification.classifiedAt, session.timeZone)} by {data.classification.by}:{' '}
                {Object.entries(data.classification.regimes)
                  .filter(([, applies]) => applies)
                  .map(([regime]) => regime)
                  .join(', ') || 'no reporting regime applies'}
                .
                {data.classification.dora?.assessment !== undefined && (
                  <>
                    {' '}
                    DORA assessment: {data.classification.dora.assessment.major ? 'major' : 'not major'}.{' '}
                    {data.classification.dora.assessment.explanation}
                  </>
                )}
              </p>
            )}
            {can(session, 'incidents:respond') ? (
              <ClassificationForm incident={data} onClassified={reloadAll} />
            ) : (
              <p class="muted">Your role may read incidents but not classify them.</p>
            )}
          </section>

          <section aria-labelledby="reports-heading">
            <h2 id="reports-heading">Post-incident review and report drafts</h2>
            <p>Drafts for review, built from the ledger; each lists what is still missing.</p>
            <Reports id={data.id} />
          </section>

          <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">Timeline</h2>
            <ErrorNotice error={timeline.error} what="load the timeline" />
            {timeline.loading && <Loading what="the timeline" />}
            <ol class="timeline">
              {timeline.data?.items.map((event) => (
                <li key={event.seq}>
                  <time dateTime={event.time}>{formatTime(event.time, session.timeZone, true)}</time>{' '}
                  <code>{event.type}</code> by {event.actor} {describe(event)}{' '}
                  <a
                    href={`#/ledger?entry=${encodeURIComponent(event.seq)}`}
                    aria-label={`verify ledger entry ${event.seq}`}
                  >
                    entry {event.seq}
                  </a>
                </li>
              ))}
            </ol>
          </section>
        </>
      )}
    </Page>
  );
}
