import { useMemo, useState } from 'preact/hooks';
import { query, request } from '../api.js';
import type {
  Change,
  Deployment,
  ImportantBusinessService,
  IncidentSummary,
  Items,
  Service,
  Slo,
  SloHistoryPoint,
} from '../api-types.js';
import { DependencyGraph } from '../components/dependency-graph.js';
import { ErrorNotice, Loading, Page } from '../components/page.js';
import { Badge, BudgetBar, riskTone, severityTone } from '../components/status.js';
import { type ChartSeries, TimeChart } from '../components/time-chart.js';
import { formatBurnRate, formatMinutes, formatPercent, formatTime } from '../format.js';
import { REFRESH_MS, useLoad, useSession } from '../hooks.js';
import { safeHttpUrl } from '../lib/safe-url.js';
import { sloHealth } from '../lib/slo-health.js';

const MINUTE = 60_000;
/** Each range with a step that gives at most about 120 points, the server's step floor being one minute. */
const RANGES = [
  { id: '1h', label: 'Last hour', ms: 60 * MINUTE, step: '1m' },
  { id: '6h', label: 'Last 6 hours', ms: 360 * MINUTE, step: '5m' },
  { id: '1d', label: 'Last day', ms: 1440 * MINUTE, step: '15m' },
  { id: '7d', label: 'Last 7 days', ms: 7 * 1440 * MINUTE, step: '2h' },
  { id: '30d', label: 'Last 30 days', ms: 30 * 1440 * MINUTE, step: '6h' },
] as const;
type RangeId = (typeof RANGES)[number]['id'];

/** The step for a burn-down over a whole SLO period: about 120 points, in whole minutes. */
function periodStep(periodMs: number): string {
  return `${Math.max(1, Math.ceil(periodMs / 120 / MINUTE))}m`;
}

function history(id: string, fromMs: number, toMs: number, step: string): Promise<Items<SloHistoryPoint>> {
  return request<Items<SloHistoryPoint>>(
    `/api/v1/slos/${encodeURIComponent(id)}/history${query({
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      step,
    })}`,
  );
}

// Colours with at least 3:1 contrast against white, told apart by dash as well as hue.
const BLUE = '#1d4ed8';
const RED = '#b91c1c';
const GREY = '#4b5563';
const GREEN = '#047857';

const sliAxis = (value: number): string => formatPercent(value, 2);

function SloCard({ slo, range }: { readonly slo: Slo; readonly range: (typeof RANGES)[number] }) {
  const session = useSession();
  const id = slo.definition.id;
  const recent = useLoad(
    () => {
      const to = Math.floor(Date.now() / MINUTE) * MINUTE;
      return history(id, to - range.ms, to, range.step);
    },
    `${id}|${range.id}`,
    REFRESH_MS * 3,
  );
  const periodMs = slo.definition.period.duration;
  // A calendar period starts where the server says; a rolling one is the last `duration`.
  const periodStartMs = slo.status?.periodStart === undefined ? undefined : Date.parse(slo.status.periodStart);
  const burnDown = useLoad(
    () => {
      const to = Math.floor(Date.now() / MINUTE) * MINUTE;
      const from = periodStartMs ?? to - periodMs;
      return history(id, from, to, periodStep(Math.max(MINUTE, to - from)));
    },
    `${id}|period|${periodStartMs ?? ''}`,
    REFRESH_MS * 6,
  );
  const status = slo.status;
  const health = sloHealth(slo);
  const objective = slo.definition.objectivePercent / 100;
  // The paging tiers' thresholds, each named by its tier (several tiers may share one factor).
  const thresholds = [
    ...new Map(
      (status?.tiers ?? []).filter((tier) => tier.severity === 'page').map((tier) => [tier.factor, tier.name]),
    ).entries(),
  ].sort(([a], [b]) => b - a);

  const recentChart = useMemo(() => {
    const points = recent.data?.items ?? [];
    const times = points.map((point) => Date.parse(point.time));
    const sli: ChartSeries[] = [
      {
        label: 'SLI',
        values: points.map((point) => (point.errorRatio === null ? null : 1 - point.errorRatio)),
        colour: BLUE,
        format: (value) => formatPercent(value, 3),
      },
      {
        label: `Objective ${slo.definition.objectivePercent} %`,
        values: points.map(() => objective),
        colour: GREY,
        dashed: true,
        format: (value) => formatPercent(value, 3),
      },
    ];
    const burn: ChartSeries[] = [
      {
        label: `Burn rate (per ${range.step})`,
        values: points.map((point) => point.burnRate),
        colour: RED,
        format: formatBurnRate,
      },
      ...thresholds.map(([factor, tier]) => ({
        label: `${tier} threshold ${factor}×`,
        values: points.map(() => factor),
        colour: GREY,
        dashed: true,
        format: formatBurnRate,
      })),
    ];
    return { times, sli, burn };
  }, [recent.data, objective, range.step, thresholds.join(','), slo.definition.objectivePercent]);

  const burnDownChart = useMemo(() => {
    const points = burnDown.data?.items ?? [];
    return {
      times: points.map((point) => Date.parse(point.time)),
      series: [
        {
          label: 'Budget remaining',
          values: points.map((point) => point.budgetRemaining),
          colour: GREEN,
          format: (value: number | null) => formatPercent(value),
        },
      ],
    };
  }, [burnDown.data]);

  return (
    <article class="slo" aria-labelledby={`slo-${id}`} data-slo={id}>
      <h3 id={`slo-${id}`}>
        {slo.definition.name} <Badge tone={health.tone} label={health.label} />
      </h3>
      {slo.definition.description !== undefined && <p>{slo.definition.description}</p>}
      <dl class="facts">
        <dt>Objective</dt>
        <dd>
          {slo.definition.objectivePercent} % over {slo.definition.period.text} ({slo.definition.budgeting})
        </dd>
        <dt>SLI over the period</dt>
        <dd>{formatPercent(status?.sli, 3)}</dd>
        <dt>Error budget remaining</dt>
        <dd>
          {formatPercent(status?.budgetRemaining)} ({formatMinutes(status?.budgetRemainingMinutes)} of full outage){' '}
          <BudgetBar remaining={status?.budgetRemaining} />
        </dd>
        <dt>Evaluated</dt>
        <dd>{formatTime(status?.evaluatedAt, session.timeZone, true)}</dd>
      </dl>
      {status !== undefined && (
        <table class="compact">
          <caption>Burn-rate alert tiers</caption>
          <thead>
            <tr>
              <th scope="col">Tier</th>
              <th scope="col">State</th>
              <th scope="col">Windows</th>
              <th scope="col">Threshold</th>
              <th scope="col">Short window</th>
              <th scope="col">Long window</th>
            </tr>
          </thead>
          <tbody>
            {status.tiers.map((tier) => (
              <tr key={tier.name}>
                <th scope="row">
                  {tier.name} ({tier.severity})
                </th>
                <td>
                  <Badge
                    tone={tier.state === 'firing' ? 'bad' : tier.state === 'pending' ? 'warn' : 'good'}
                    label={tier.state}
                  />
                </td>
                <td>
                  {tier.shortWindow} and {tier.longWindow}
                </td>
                <td>{formatBurnRate(tier.factor)}</td>
                <td>{formatBurnRate(tier.shortBurnRate)}</td>
                <td>{formatBurnRate(tier.longBurnRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNotice error={recent.error} what="load the SLI history" />
      {recent.loading && <Loading what="history" />}
      {recent.data !== undefined && (
        <div class="charts">
          <div>
            <h4>SLI, {range.label.toLowerCase()}</h4>
            <TimeChart
              title={`SLI of ${slo.definition.name}`}
              times={recentChart.times}
              series={recentChart.sli}
              timeZone={session.timeZone}
              axisFormat={sliAxis}
            />
          </div>
          <div>
            <h4>Burn rate, {range.label.toLowerCase()}</h4>
            <TimeChart
              title={`Burn rate of ${slo.definition.name}`}
              times={recentChart.times}
              series={recentChart.burn}
              timeZone={session.timeZone}
            />
          </div>
        </div>
      )}
      <h4>Error budget over the {slo.definition.period.text} period</h4>
      <ErrorNotice error={burnDown.error} what="load the budget burn-down" />
      {burnDown.data !== undefined && (
        <TimeChart
          title={`Error budget remaining of ${slo.definition.name}`}
          times={burnDownChart.times}
          series={burnDownChart.series}
          timeZone={session.timeZone}
          height={160}
        />
      )}
    </article>
  );
}

export function ServicePage({ name }: { readonly name: string }) {
  const session = useSession();
  const [rangeId, setRangeId] = useState<RangeId>('1d');
  const range = RANGES.find((candidate) => candidate.id === rangeId) ?? RANGES[2];
  const encoded = encodeURIComponent(name);
  const service = useLoad(() => request<Service>(`/api/v1/services/${encoded}`), `service|${name}`);
  const slos = useLoad(
    () => request<Items<Slo>>(`/api/v1/slos${query({ service: name })}`),
    `slos|${name}`,
    REFRESH_MS,
  );
  const ibs = useLoad(() => request<Items<ImportantBusinessService>>('/api/v1/important-business-services'), 'ibs');
  const changes = useLoad(
    () => request<Items<Change>>(`/api/v1/changes${query({ service: name, limit: 10 })}`),
    `changes|${name}`,
    REFRESH_MS,
  );
  const deployments = useLoad(
    () => request<Items<Deployment>>(`/api/v1/deployments${query({ service: name })}`),
    `deployments|${name}`,
    REFRESH_MS,
  );
  const incidents = useLoad(
    () => request<Items<IncidentSummary>>(`/api/v1/incidents${query({ service: name, limit: 10 })}`),
    `incidents|${name}`,
    REFRESH_MS,
  );
  const busy = service.loading || slos.loading;
  const data = service.data;
  const supported =
    ibs.data?.items.filter((candidate) => data?.importantBusinessServices.includes(candidate.name)) ?? [];

  return (
    <Page name="service" title={data?.displayName ?? name} busy={busy}>
      <ErrorNotice error={service.error} what={`load service ${name}`} />
      {data !== undefined && (
        <>
          <p>{data.description}</p>
          <dl class="facts">
            <dt>Name</dt>
            <dd>
              <code>{data.name}</code>
            </dd>
            <dt>Tier</dt>
            <dd>{data.tier}</dd>
            <dt>Owning team</dt>
            <dd>{data.team}</dd>
            <dt>Regulatory scope</dt>
            <dd>{data.regulatoryScope?.join(', ') || 'none'}</dd>
            <dt>Runbook</dt>
            <dd>
              {safeHttpUrl(data.runbook) === undefined ? (
                (data.runbook ?? 'none')
              ) : (
                <a href={safeHttpUrl(data.runbook)}>{data.runbook}</a>
              )}
            </dd>
          </dl>

          <section aria-labelledby="slos">
            <h2 id="slos">SLOs</h2>
            <label for="range">Chart range</label>{' '}
            <select
              id="range"
              value={rangeId}
              onChange={(event) => {
                const chosen = RANGES.find((option) => option.id === event.currentTarget.value);
                if (chosen !== undefined) setRangeId(chosen.id);
              }}
            >
              {RANGES.map((option) => (
                <option key={option.id} value={option.id}>
                  {option.label}
                </option>
              ))}
            </select>
            <ErrorNotice error={slos.error} what="load SLOs" />
            {slos.data?.items.length === 0 && <p>This service has no SLO in the catalogue.</p>}
            {slos.data?.items.map((slo) => (
              <SloCard key={slo.definition.id} slo={slo} range={range} />
            ))}
          </section>

          <section aria-labelledby="dependencies">
            <h2 id="dependencies">Dependencies and dependants</h2>
            <DependencyGraph service={data.name} dependencies={data.dependencies} dependants={data.dependants} />
            <div class="columns">
              <div>
                <h3>Depends on</h3>
                {data.dependencies.length === 0 ? (
                  <p>Nothing in the catalogue.</p>
                ) : (
                  <ul>
                    {data.dependencies.map((dependency) => (
                      <li key={dependency.service}>
                        <a href={`#/services/${encodeURIComponent(dependency.service)}`}>{dependency.service}</a> (
                        {dependency.kind})
                      </li>
                    ))}
                  </ul>
                )}
              </div>
              <div>
                <h3>Depended on by</h3>
                {data.dependants.length === 0 ? (
                  <p>No service in the catalogue.</p>
                ) : (
                  <ul>
                    {data.dependants.map((dependant) => (
                      <li key={dependant}>
                        <a href={`#/services/${encodeURIComponent(dependant)}`}>{dependant}</a>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </div>
          </section>

          <section aria-labelledby="ibs">
            <h2 id="ibs">Important business services it supports</h2>
            {data.importantBusinessServices.length === 0 && <p>None.</p>}
            <ul>
              {supported.map((candidate) => (
                <li key={candidate.name}>
                  <strong>{candidate.name}</strong>: impact tolerance {candidate.impactTolerance.maxTolerableDisruption}
                  {candidate.description !== undefined && <div class="small">{candidate.description}</div>}
                </li>
              ))}
            </ul>
          </section>

          <section aria-labelledby="recent">
            <h2 id="recent">Recent changes, deployments and incidents</h2>
            <div class="columns">
              <div>
                <h3>Changes</h3>
                <ErrorNotice error={changes.error} what="load changes" />
                {changes.data?.items.length === 0 && <p>None.</p>}
                <ul>
                  {changes.data?.items.map((change) => (
                    <li key={change.id}>
                      <a href={`#/changes/${encodeURIComponent(change.id)}`}>
                        {change.id}: {change.content.title}
                      </a>{' '}
                      <Badge tone="info" label={change.status} />{' '}
                      {change.risk !== undefined && (
                        <Badge tone={riskTone(change.risk.level)} label={`${change.risk.level} risk`} />
                      )}
                    </li>
                  ))}
                </ul>
              </div>
              <div>
                <h3>Deployments (last 90 days)</h3>
                <ErrorNotice error={deployments.error} what="load deployments" />
                {deployments.data?.items.length === 0 && <p>None recorded.</p>}
                <ul>
                  {[...(deployments.data?.items ?? [])]
                    .sort((a, b) => b.deployedAt.localeCompare(a.deployedAt))
                    .slice(0, 10)
                    .map((deployment) => (
                      <li key={deployment.id}>
                        {deployment.version} at {formatTime(deployment.deployedAt, session.timeZone)}:{' '}
                        <Badge tone={deployment.outcome === 'succeeded' ? 'good' : 'bad'} label={deployment.outcome} />
                        {deployment.changeId !== undefined && (
                          <>
                            {' '}
                            (<a href={`#/changes/${encodeURIComponent(deployment.changeId)}`}>{deployment.changeId}</a>)
                          </>
                        )}
                      </li>
                    ))}
                </ul>
              </div>
              <div>
                <h3>Incidents</h3>
                <ErrorNotice error={incidents.error} what="load incidents" />
                {incidents.data?.items.length === 0 && <p>None.</p>}
                <ul>
                  {incidents.data?.items.map((incident) => (
                    <li key={incident.id}>
                      <a href={`#/incidents/${encodeURIComponent(incident.id)}`}>
                        {incident.id}: {incident.title}
                      </a>{' '}
                      <Badge tone={severityTone(incident.severity)} label={incident.severity} /> {incident.status}
                    </li>
                  ))}
                </ul>
              </div>
            </div>
          </section>
        </>
      )}
    </Page>
  );
}
