import { useMemo, useState } from 'preact/hooks';
import { ApiError, query, request } from '../api.js';
import type { Change, Checkpoint, Clocks, FreezeWindow, IncidentSummary, Items, Service, Slo } from '../api-types.js';
import { CheckpointFacts } from '../components/checkpoint-facts.js';
import { ClockTable } from '../components/clock-table.js';
import { ErrorNotice, Loading, Page } from '../components/page.js';
import { Badge, BudgetBar, riskTone, severityTone } from '../components/status.js';
import { formatPercent, formatTime } from '../format.js';
import { REFRESH_MS, useLoad, useSession } from '../hooks.js';
import { type SloHealth, serviceHealth } from '../lib/slo-health.js';

interface ServiceRow {
  readonly service: Service;
  readonly slos: ReadonlyArray<Slo>;
  /** Worked out once per load: the filter and the table both read it, for up to a thousand rows. */
  readonly health: SloHealth;
}

async function loadServices(): Promise<Map<number, ServiceRow[]>> {
  const [services, slos] = await Promise.all([
    request<Items<Service>>('/api/v1/services'),
    request<Items<Slo>>('/api/v1/slos'),
  ]);
  const byService = new Map<string, Slo[]>();
  for (const slo of slos.items) {
    const list = byService.get(slo.definition.service) ?? [];
    list.push(slo);
    byService.set(slo.definition.service, list);
  }
  const tiers = new Map<number, ServiceRow[]>();
  for (const service of [...services.items].sort((a, b) => a.name.localeCompare(b.name))) {
    const list = tiers.get(service.tier) ?? [];
    const slos = byService.get(service.name) ?? [];
    list.push({ service, slos, health: serviceHealth(slos) });
    tiers.set(service.tier, list);
  }
  return new Map([...tiers.entries()].sort(([a], [b]) => a - b));
}

interface OpenIncident {
  readonly incident: IncidentSummary;
  /** The clocks, or why they could not be read: one incident's failure must not hide the others. */
  readonly clocks: { readonly ok: true; readonly value: Clocks } | { readonly ok: false; readonly error: ApiError };
}

async function loadIncidents(): Promise<OpenIncident[]> {
  const open = await request<Items<IncidentSummary>>(`/api/v1/incidents${query({ status: 'open', limit: 50 })}`);
  return Promise.all(
    open.items.map(async (incident) => ({
      incident,
      clocks: await request<Clocks>(`/api/v1/incidents/${encodeURIComponent(incident.id)}/clocks`).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({
          ok: false as const,
          error: error instanceof ApiError ? error : new ApiError(String(error), 0, 'CLIENT', []),
        }),
      ),
    })),
  );
}

function TierTable({
  tier,
  rows,
  timeZone,
}: {
  readonly tier: number;
  readonly rows: ReadonlyArray<ServiceRow>;
  readonly timeZone: string;
}) {
  return (
    <section aria-labelledby={`tier-${tier}`} class="tier">
      <h3 id={`tier-${tier}`}>
        Tier {tier}{' '}
        <span class="muted">
          ({rows.length} {rows.length === 1 ? 'service' : 'services'})
        </span>
      </h3>
      <table class="services">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Team</th>
            <th scope="col">SLO status</th>
            <th scope="col">Error budget remaining (lowest)</th>
            <th scope="col">SLOs</th>
            <th scope="col">Evaluated</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ service, slos, health }) => {
            return (
              <tr key={service.name} data-service-row={service.name}>
                <th scope="row">
                  <a href={`#/services/${encodeURIComponent(service.name)}`}>{service.displayName ?? service.name}</a>
                </th>
                <td>{service.team}</td>
                <td>
                  <Badge tone={health.tone} label={health.label} />
                </td>
                <td>
                  <span class="number">{formatPercent(health.budgetRemaining)}</span>{' '}
                  <BudgetBar remaining={health.budgetRemaining} />
                </td>
                <td class="number">{slos.length}</td>
                <td class="small">{formatTime(slos[0]?.status?.evaluatedAt, timeZone)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function OverviewPage() {
  const session = useSession();
  const services = useLoad(loadServices, 'services', REFRESH_MS * 3);
  const incidents = useLoad(loadIncidents, 'incidents', REFRESH_MS);
  const changes = useLoad(
    () => request<Items<Change>>(`/api/v1/changes${query({ status: 'submitted', limit: 50 })}`),
    'changes',
    REFRESH_MS,
  );
  const freezes = useLoad(() => request<Items<FreezeWindow>>('/api/v1/freeze-windows'), 'freezes', REFRESH_MS * 6);
  const checkpoint = useLoad(
    () => request<Checkpoint>('/api/v1/ledger/checkpoint?format=json'),
    'checkpoint',
    REFRESH_MS,
  );
  const [filter, setFilter] = useState('');
  const [problemsOnly, setProblemsOnly] = useState(false);
  const shown = useMemo(() => {
    if (services.data === undefined) return undefined;
    const words = filter.trim().toLowerCase();
    let total = 0;
    let count = 0;
    const tiers: Array<[number, ServiceRow[]]> = [];
    for (const [tier, rows] of services.data) {
      total += rows.length;
      const kept = rows.filter(({ service, health }) => {
        if (problemsOnly && !['bad', 'warn'].includes(health.tone)) return false;
        if (words === '') return true;
        return [service.name, service.displayName ?? '', service.team].some((text) =>
          text.toLowerCase().includes(words),
        );
      });
      count += kept.length;
      if (kept.length > 0) tiers.push([tier, kept]);
    }
    return { tiers, count, total };
  }, [services.data, filter, problemsOnly]);
  const busy = services.loading || incidents.loading || changes.loading || freezes.loading || checkpoint.loading;
  const inForce = freezes.data?.items.filter((freeze) => freeze.activeNow) ?? [];

  return (
    <Page name="overview" title="Overview" busy={busy}>
      <div class="overview-grid">
        <section aria-labelledby="open-incidents" class="panel panel-wide">
          <h2 id="open-incidents">Open incidents</h2>
          <ErrorNotice error={incidents.error} what="load incidents" />
          {incidents.loading && <Loading what="incidents" />}
          {incidents.data?.length === 0 && <p>No open incidents.</p>}
          {incidents.data?.map(({ incident, clocks }) => (
            <article key={incident.id} class="incident-card" data-incident={incident.id}>
              <h3>
                <a href={`#/incidents/${encodeURIComponent(incident.id)}`}>
                  {incident.id}: {incident.title}
                </a>
              </h3>
              <p>
                <Badge tone={severityTone(incident.severity)} label={incident.severity} />{' '}
                <Badge tone="info" label={incident.status} />{' '}
                {!incident.acknowledged && <Badge tone="warn" label="not acknowledged" />} Declared{' '}
                {formatTime(incident.declaredAt, session.timeZone)} on {incident.services.join(', ')}
              </p>
              {clocks.ok ? (
                <ClockTable
                  clocks={clocks.value.clocks.filter((clock) =>
                    ['pending', 'at-risk', 'due', 'missed'].includes(clock.status),
                  )}
                  serverAt={clocks.value.at}
                  timeZone={session.timeZone}
                  caption={`Regulatory clocks for ${incident.id}`}
                />
              ) : (
                <ErrorNotice error={clocks.error} what={`load the clocks of ${incident.id}`} />
              )}
            </article>
          ))}
        </section>

        <section aria-labelledby="waiting-changes" class="panel">
          <h2 id="waiting-changes">Changes waiting for approval</h2>
          <ErrorNotice error={changes.error} what="load changes" />
          {changes.data?.items.length === 0 && <p>No change is waiting for approval.</p>}
          {changes.data !== undefined && changes.data.items.length > 0 && (
            <ul class="plain">
              {changes.data.items.map((change) => (
                <li key={change.id}>
                  <a href={`#/changes/${encodeURIComponent(change.id)}`}>
                    {change.id}: {change.content.title}
                  </a>{' '}
                  {change.risk !== undefined && (
                    <Badge tone={riskTone(change.risk.level)} label={`${change.risk.level} risk`} />
                  )}
                  <div class="small">Still needs: {change.missingApprovals.join('; ') || 'nothing'}</div>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section aria-labelledby="freezes" class="panel">
          <h2 id="freezes">Freeze windows in force</h2>
          <ErrorNotice error={freezes.error} what="load freeze windows" />
          {freezes.data !== undefined && inForce.length === 0 && <p>No freeze window is in force.</p>}
          <ul class="plain">
            {inForce.map((freeze) => (
              <li key={freeze.name}>
                <strong>{freeze.name}</strong> until {formatTime(freeze.current?.end, session.timeZone)}
                <div class="small">{freeze.reason}</div>
              </li>
            ))}
          </ul>
        </section>

        <section aria-labelledby="checkpoint" class="panel">
          <h2 id="checkpoint">Latest signed checkpoint</h2>
          <ErrorNotice error={checkpoint.error} what="read the ledger" />
          {checkpoint.data !== undefined && (
            <CheckpointFacts checkpoint={checkpoint.data} timeZone={session.timeZone} />
          )}
          <p>
            <a href="#/ledger">Verify an entry against it</a>
          </p>
        </section>
      </div>

      <section aria-labelledby="services">
        <h2 id="services">Services by tier</h2>
        <div class="filters">
          <div class="field">
            <label for="service-filter">Filter by service or team</label>
            <input
              id="service-filter"
              type="search"
              value={filter}
              onInput={(event) => setFilter(event.currentTarget.value)}
            />
          </div>
          <div class="check">
            <input
              id="problems-only"
              type="checkbox"
              checked={problemsOnly}
              onChange={(event) => setProblemsOnly(event.currentTarget.checked)}
            />
            <label for="problems-only">Only services burning budget or low on it</label>
          </div>
        </div>
        <p class="small muted" role="status">
          {shown === undefined ? '' : `${shown.count} of ${shown.total} services shown`}
        </p>
        <ErrorNotice error={services.error} what="load services" />
        {services.loading && <Loading what="services" />}
        {shown?.tiers.map(([tier, rows]) => (
          <TierTable key={tier} tier={tier} rows={rows} timeZone={session.timeZone} />
        ))}
      </section>
    </Page>
  );
}
