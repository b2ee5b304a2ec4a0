import { useMemo } from 'preact/hooks';
import type { Clock } from '../api-types.js';
import { formatDuration, formatPercent, formatTime, formatTimeLeft, formatUtc } from '../format.js';
import { useNow } from '../hooks.js';
import { Badge, clockTone } from './status.js';

const REGIMES: Record<string, string> = {
  dora: 'DORA',
  gdpr: 'GDPR',
  nis2: 'NIS2',
  'uk-incident-reporting': 'UK incident reporting',
  'uk-impact-tolerance': 'UK impact tolerance',
};

export function regimeName(regime: string): string {
  return REGIMES[regime] ?? regime;
}

function statusLabel(status: string): string {
  return status.replace(/-/g, ' ');
}

interface ClockTableProps {
  readonly clocks: ReadonlyArray<Clock>;
  /** The server's time when it worked the clocks out: countdowns follow the server's clock, not the browser's. */
  readonly serverAt: string | undefined;
  readonly timeZone: string;
  readonly caption: string;
  /** Show clocks that do not apply too, each with its reason. */
  readonly includeNotApplicable?: boolean;
  /** Offers to record a report as submitted, for the clocks that wait for one. */
  readonly onRecordSubmission?: ((clock: Clock) => void) | undefined;
}

const REPORTING_REGIMES = ['dora', 'gdpr', 'nis2', 'uk-incident-reporting'];

/** A report clock that is open or overdue with nothing submitted: a submission is what moves it on. */
export function awaitsSubmission(clock: Clock): boolean {
  return (
    REPORTING_REGIMES.includes(clock.regime) &&
    clock.dueAt !== undefined &&
    clock.submittedAt === undefined &&
    ['pending', 'at-risk', 'due', 'missed'].includes(clock.status)
  );
}

/** Each clock with its due time in the organisation's zone and in UTC, a live countdown and its status. */
export function ClockTable({
  clocks,
  serverAt,
  timeZone,
  caption,
  includeNotApplicable = false,
  onRecordSubmission,
}: ClockTableProps) {
  // Measured when a new answer arrives, so a browser clock that is minutes out cannot move a regulatory deadline.
  const offset = useMemo(() => (serverAt === undefined ? 0 : Date.parse(serverAt) - Date.now()), [serverAt]);
  const now = useNow(1000) + offset;
  const shown = includeNotApplicable ? clocks : clocks.filter((clock) => clock.status !== 'not-applicable');
  if (shown.length === 0) return <p class="muted">No regulatory clock runs for this incident.</p>;
  return (
    <table class="clocks">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Clock</th>
          <th scope="col">Status</th>
          <th scope="col">Due ({timeZone})</th>
          <th scope="col">Due (UTC)</th>
          <th scope="col">Time left</th>
          {onRecordSubmission !== undefined && <th scope="col">Report</th>}
        </tr>
      </thead>
      <tbody>
        {shown.map((clock) => {
          // An open clock counts down; a missed one with nothing submitted counts how late it is.
          const counting =
            clock.dueAt !== undefined &&
            (['pending', 'at-risk', 'due'].includes(clock.status) ||
              (clock.status === 'missed' && clock.submittedAt === undefined));
          return (
            <tr
              key={`${clock.regime}-${clock.report}-${clock.service ?? ''}`}
              data-clock={`${clock.regime}:${clock.report}`}
            >
              <th scope="row">
                {regimeName(clock.regime)}: {clock.title}
                {clock.service !== undefined && <> ({clock.service})</>}
                <div class="small muted">{clock.source}</div>
                {clock.reason !== undefined && <div class="small">{clock.reason}</div>}
                {clock.toleranceMs !== undefined && clock.fractionOfTolerance !== undefined && (
                  <div class="small">
                    {formatPercent(clock.fractionOfTolerance)} of the {formatDuration(clock.toleranceMs)} tolerance used
                  </div>
                )}
              </th>
              <td>
                <Badge tone={clockTone(clock.status)} label={statusLabel(clock.status)} />
              </td>
              <td>
                {clock.dueAt === undefined ? (
                  '—'
                ) : (
                  <time dateTime={clock.dueAt}>{formatTime(clock.dueAt, timeZone)}</time>
                )}
              </td>
              <td>{clock.dueAt === undefined ? '—' : formatUtc(clock.dueAt)}</td>
              <td class="countdown">
                {counting && clock.dueAt !== undefined ? formatTimeLeft(clock.dueAt, now) : '—'}
              </td>
              {onRecordSubmission !== undefined && (
                <td>
                  {awaitsSubmission(clock) ? (
                    <button type="button" class="secondary" onClick={() => onRecordSubmission(clock)}>
                      Record as submitted
                      <span class="visually-hidden">
                        : {clock.title} ({regimeName(clock.regime)})
                      </span>
                    </button>
                  ) : clock.submittedAt !== undefined ? (
                    `submitted ${formatTime(clock.submittedAt, timeZone)}`
                  ) : (
                    '—'
                  )}
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
