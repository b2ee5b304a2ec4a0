import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.js';
import type { Change, Items, Verdict } from '../api-types.js';
import { ErrorNotice, Page } from '../components/page.js';
import { Badge, decisionTone, riskTone } from '../components/status.js';
import { formatTime, formatUtc } from '../format.js';
import { can, REFRESH_MS, useLoad, useSession } from '../hooks.js';

function Decision({
  change,
  open,
  onDecided,
}: {
  readonly change: Change;
  /** False once the change has left `submitted`: the answer stays on screen, the buttons go. */
  readonly open: boolean;
  readonly onDecided: () => void;
}) {
  const session = useSession();
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const isRequester = change.requester === session.me.actor;

  const act = async (action: 'approve' | 'reject'): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const body =
        action === 'approve' ? (comment.trim() === '' ? {} : { comment: comment.trim() }) : { reason: reason.trim() };
      const result = await request<Change>(`/api/v1/changes/${encodeURIComponent(change.id)}/${action}`, {
        method: 'POST',
        body,
      });
      setDone(
        action === 'approve'
          ? `Your approval is recorded; the change is now ${result.status}.`
          : `The change is rejected.`,
      );
      onDecided();
    } catch (caught: unknown) {
      setError(caught instanceof ApiError ? caught : new ApiError('the decision could not be sent', 0, 'CLIENT', []));
      onDecided();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="decide-heading" class="panel">
      <h2 id="decide-heading">Approve or reject</h2>
      {open && (
        <>
          {isRequester && (
            <p class="notice notice-info">
              You requested this change. Segregation of duties means the server will refuse your approval: a requester
              or implementer may never approve their own change. An attempt is recorded in the ledger.
            </p>
          )}
          <div class="field">
            <label for="approve-comment">Comment with your approval (optional)</label>
            <input
              id="approve-comment"
              type="text"
              maxLength={2000}
              value={comment}
              onInput={(event) => setComment(event.currentTarget.value)}
            />
          </div>
          <button type="button" disabled={busy} onClick={() => void act('approve')}>
            Approve {change.id}
          </button>
          <div class="field">
            <label for="reject-reason">Reason for rejecting</label>
            <span id="reject-hint" class="small muted">
              Rejecting needs a reason; the button is available once you have written one.
            </span>
            <input
              id="reject-reason"
              aria-describedby="reject-hint"
              type="text"
              maxLength={2000}
              value={reason}
              onInput={(event) => setReason(event.currentTarget.value)}
            />
          </div>
          <button
            type="button"
            class="danger"
            disabled={busy || reason.trim() === ''}
            onClick={() => void act('reject')}
          >
            Reject {change.id}
          </button>
        </>
      )}
      <div aria-live="polite">
        {error !== undefined && error.status === 403 && (
          <div class="notice notice-refused" role="alert" data-refusal>
            <strong>Refused by the server: </strong>
            {error.message}
            <p class="small">
              The server enforces segregation of duties and approver roles; the dashboard only shows its answer. Ask an
              approver who is neither the requester nor the implementer.
            </p>
          </div>
        )}
        {error !== undefined && error.status !== 403 && <ErrorNotice error={error} what="record the decision" />}
        <div role="status">{done !== undefined && <p class="notice notice-ok">{done}</p>}</div>
      </div>
    </section>
  );
}

function PlannedWindow({
  window,
  timeZone,
}: {
  readonly window: { readonly start: string; readonly end: string } | null | undefined;
  readonly timeZone: string;
}) {
  if (window === null || window === undefined) return <>none</>;
  return (
    <>
      {formatTime(window.start, timeZone)} to {formatTime(window.end, timeZone)} ({formatUtc(window.start)} to{' '}
      {formatUtc(window.end)})
    </>
  );
}

export function ChangePage({ id }: { readonly id: string }) {
  const session = useSession();
  const encoded = encodeURIComponent(id);
  const change = useLoad(() => request<Change>(`/api/v1/changes/${encoded}`), `change|${id}`, REFRESH_MS);
  const verdicts = useLoad(
    () => request<Items<Verdict>>(`/api/v1/changes/${encoded}/verdicts`),
    `verdicts|${id}`,
    REFRESH_MS,
  );
  const data = change.data;
  const [decided, setDecided] = useState(false);
  const reload = (): void => {
    change.reload();
    verdicts.reload();
  };

  return (
    <Page
      name="change"
      title={data === undefined ? id : `${data.id}: ${data.content.title}`}
      busy={change.loading || verdicts.loading}
    >
      <ErrorNotice error={change.error} what={`load change ${id}`} />
      {data !== undefined && (
        <>
          <p>
            <Badge tone="info" label={data.status} /> {data.content.type} change on {data.content.services.join(', ')},
            requested by <strong>{data.requester}</strong>, implemented by <strong>{data.content.implementer}</strong>
          </p>
          <dl class="facts">
            <dt>Description</dt>
            <dd>{data.content.description}</dd>
            <dt>Reason</dt>
            <dd>{data.content.reason}</dd>
            <dt>Planned window</dt>
            <dd>
              <PlannedWindow window={data.content.plannedWindow} timeZone={session.timeZone} />
            </dd>
            <dt>Rollback plan</dt>
            <dd>{data.content.rollbackPlan ?? 'none'}</dd>
            <dt>Test evidence</dt>
            <dd>{data.content.testEvidence ?? 'none'}</dd>
            <dt>Security impact</dt>
            <dd>{data.content.securityImpact ?? 'none'}</dd>
            <dt>Content hash</dt>
            <dd>
              <code class="hash">{data.contentHash}</code> (approvals are bound to it; an edit voids them)
            </dd>
          </dl>

          <section aria-labelledby="risk-heading">
            <h2 id="risk-heading">Risk, factor by factor</h2>
            {data.risk === undefined ? (
              <p>Risk is assessed when the change is submitted.</p>
            ) : (
              <table class="compact">
                <caption>
                  Risk <Badge tone={riskTone(data.risk.level)} label={data.risk.level} />, score {data.risk.score}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Factor</th>
                    <th scope="col">Points</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {data.risk.factors.map((factor) => (
                    <tr key={factor.factor}>
                      <th scope="row">{factor.factor.replace(/-/g, ' ')}</th>
                      <td class="number">+{factor.points}</td>
                      <td>{factor.explanation}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <section aria-labelledby="approvals-heading">
            <h2 id="approvals-heading">Approvals</h2>
            {data.requirement !== undefined && (
              <p>
                Needs {data.requirement.approvals} {data.requirement.approvals === 1 ? 'approval' : 'approvals'}
                {data.requirement.fromOwningTeam && ', one from an owning team'}
                {data.requirement.board && ', and the change advisory board'}.
              </p>
            )}
            {data.approvals.length === 0 ? (
              <p>No approval yet.</p>
            ) : (
              <ul>
                {data.approvals.map((approval) => (
                  <li key={`${approval.approver}-${approval.at}`}>
                    {approval.approver} at {formatTime(approval.at, session.timeZone)}
                    {approval.comment !== undefined && <>: “{approval.comment}”</>}
                  </li>
                ))}
              </ul>
            )}
            <p data-approvals-satisfied={data.approvalsSatisfied ? 'true' : 'false'}>
              {data.approvalsSatisfied ? (
                <Badge tone="good" label="Approvals complete" />
              ) : (
                <>
                  <Badge tone="warn" label="Approvals incomplete" /> Still needed: {data.missingApprovals.join('; ')}
                </>
              )}
            </p>
          </section>

          {(data.status === 'submitted' || decided) && can(session, 'changes:approve') && (
            <Decision
              change={data}
              open={data.status === 'submitted'}
              onDecided={() => {
                setDecided(true);
                reload();
              }}
            />
          )}
          {data.status === 'submitted' && !can(session, 'changes:approve') && (
            <p class="muted">Your role ({session.me.role ?? 'unknown'}) may not approve changes.</p>
          )}

          <section aria-labelledby="verdicts-heading">
            <h2 id="verdicts-heading">Deployment-gate verdicts</h2>
            <ErrorNotice error={verdicts.error} what="load gate verdicts" />
            {verdicts.data?.items.length === 0 && <p>The gate has not been asked about this change.</p>}
            <ul class="plain">
              {verdicts.data?.items.map((verdict) => (
                <li key={verdict.ledgerIndex}>
                  <Badge tone={decisionTone(verdict.decision)} label={verdict.decision} /> at{' '}
                  {formatTime(verdict.at, session.timeZone, true)} for {verdict.source} ({verdict.actor}),{' '}
                  <a href={`#/ledger?entry=${encodeURIComponent(verdict.ledgerIndex)}`}>
                    ledger entry {verdict.ledgerIndex}
                  </a>
                  <ul>
                    {verdict.reasons.map((reason) => (
                      <li key={`${reason.code}-${reason.message}`}>
                        {reason.effect}: {reason.message}
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </Page>
  );
}
