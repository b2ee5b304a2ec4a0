import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, query, request } from '../api.js';
import type { Checkpoint, LedgerEntry } from '../api-types.js';
import { CheckpointFacts } from '../components/checkpoint-facts.js';
import { ErrorNotice, Page } from '../components/page.js';
import { Badge } from '../components/status.js';
import { formatTime } from '../format.js';
import { REFRESH_MS, useLoad, useSession } from '../hooks.js';
import { type ProofResult, verifyInclusion } from '../lib/ledger-proof.js';

interface Verification {
  readonly entry: LedgerEntry;
  readonly result: ProofResult;
  /** True when the key used is the one this server offered, so the check is not independent of it. */
  readonly withServerKey: boolean;
}

/** The key a person pasted is public; keeping it spares pasting it again on every visit. */
const KEY_STORAGE = 'sre-agent.verifier-key';

function rememberedKey(): string | undefined {
  return localStorage.getItem(KEY_STORAGE) ?? undefined;
}

/** Web Crypto's subtle API exists only on HTTPS pages and on localhost. */
const WEB_CRYPTO = typeof crypto !== 'undefined' && crypto.subtle !== undefined;

const CHECKPOINT_WAIT_MS = 1500;

function prettyLeaf(text: string | undefined): string {
  if (text === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Fetches the entry, a checkpoint that covers it and the proof; Web Crypto then decides. */
async function verifyEntry(
  indexOrId: string,
  verifierKey: string,
  serverKey: string | undefined,
): Promise<Verification> {
  const entry = await request<LedgerEntry>(`/api/v1/ledger/entries/${encodeURIComponent(indexOrId)}`);
  let checkpoint = await request<Checkpoint>('/api/v1/ledger/checkpoint?format=json');
  // A new entry is signed into a checkpoint within a second or so; wait once rather than fail at once.
  if (BigInt(entry.index) >= BigInt(checkpoint.size)) {
    await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_WAIT_MS));
    checkpoint = await request<Checkpoint>('/api/v1/ledger/checkpoint?format=json');
  }
  if (BigInt(entry.index) >= BigInt(checkpoint.size)) {
    throw new ApiError(
      `entry ${entry.index} is newer than the latest signed checkpoint (${checkpoint.size} entries); try again in a moment`,
      409,
      'NOT_YET_SIGNED',
      [],
    );
  }
  const proof = await request<{ proof: string[] }>(
    `/api/v1/ledger/proof/inclusion${query({ index: entry.index, size: checkpoint.size })}`,
  );
  const result = await verifyInclusion({
    leafBase64: entry.leaf,
    index: BigInt(entry.index),
    note: checkpoint.note,
    proof: proof.proof,
    verifierKey,
    lookup: indexOrId,
  });
  return { entry, result, withServerKey: verifierKey.trim() === serverKey };
}

const RECENT = 20n;

/** The newest entries, newest first: the head's size says where the end is. */
async function loadRecent(): Promise<LedgerEntry[]> {
  const head = await request<{ size: string; items: LedgerEntry[] }>('/api/v1/ledger/entries?start=0&end=0');
  const size = BigInt(head.size);
  const start = size > RECENT ? size - RECENT : 0n;
  const page = await request<{ items: LedgerEntry[] }>(`/api/v1/ledger/entries${query({ start: String(start) })}`);
  return [...page.items].reverse();
}

export function LedgerPage({ entry }: { readonly entry: string | undefined }) {
  const session = useSession();
  const checkpoint = useLoad(
    () => request<Checkpoint>('/api/v1/ledger/checkpoint?format=json'),
    'checkpoint',
    REFRESH_MS,
  );
  const keys = useLoad(() => request<{ keys: string[] }>('/api/v1/ledger/keys'), 'keys');
  const recent = useLoad(loadRecent, 'recent', REFRESH_MS);
  const [verifierKey, setVerifierKey] = useState('');
  const [lookup, setLookup] = useState(entry ?? '');
  const [verification, setVerification] = useState<Verification | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [working, setWorking] = useState(false);
  const result = useRef<HTMLDivElement>(null);
  // A verification started from the table below shows its result above: bring it into view.
  useEffect(() => {
    if (verification !== undefined) result.current?.scrollIntoView({ block: 'nearest' });
  }, [verification]);

  const serverKey = keys.data?.keys[0];
  useEffect(() => {
    const start = rememberedKey() ?? serverKey;
    if (start !== undefined && verifierKey === '') setVerifierKey(start);
  }, [serverKey, verifierKey]);
  const changeKey = (value: string): void => {
    setVerifierKey(value);
    if (value.trim() === '' || value.trim() === serverKey) localStorage.removeItem(KEY_STORAGE);
    else localStorage.setItem(KEY_STORAGE, value.trim());
  };

  const verify = async (target: string, key: string): Promise<void> => {
    setWorking(true);
    setError(undefined);
    setVerification(undefined);
    try {
      setVerification(await verifyEntry(target.trim(), key, serverKey));
    } catch (caught: unknown) {
      setError(caught instanceof ApiError ? caught : new ApiError(String(caught), 0, 'CLIENT', []));
    } finally {
      setWorking(false);
    }
  };

  // Arriving from a timeline link verifies that entry at once, with the person's key if they gave one.
  useEffect(() => {
    const key = rememberedKey() ?? serverKey;
    if (entry !== undefined && key !== undefined && WEB_CRYPTO) void verify(entry, key);
  }, [entry, serverKey]);

  const submit = (event: Event): void => {
    event.preventDefault();
    if (lookup.trim() === '') {
      setError(new ApiError('enter a ledger index or an event id', 400, 'CLIENT', []));
      return;
    }
    void verify(lookup, verifierKey);
  };

  return (
    <Page name="ledger" title="Ledger" busy={checkpoint.loading || keys.loading || recent.loading}>
      <section aria-labelledby="latest-heading">
        <h2 id="latest-heading">Latest signed checkpoint</h2>
        <ErrorNotice error={checkpoint.error} what="read the ledger" />
        {checkpoint.data !== undefined && (
          <>
            <CheckpointFacts checkpoint={checkpoint.data} timeZone={session.timeZone} />
            <details>
              <summary>The signed note, as an auditor stores it</summary>
              <pre>{checkpoint.data.note}</pre>
            </details>
          </>
        )}
      </section>

      <section aria-labelledby="verify-heading">
        <h2 id="verify-heading">Verify an entry in this browser</h2>
        <p>
          The browser checks the proof itself with Web Crypto: the entry's bytes hash into the checkpoint's root, and
          the checkpoint's Ed25519 signature verifies under the key below. Replace the key with the one your
          organisation published, so that nothing rests on this server's word.
        </p>
        <form onSubmit={submit} class="verify">
          <div class="field">
            <label for="verifier-key">Verifier key you trust</label>
            <textarea
              id="verifier-key"
              rows={2}
              spellcheck={false}
              value={verifierKey}
              onInput={(event) => changeKey(event.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="entry-lookup">Ledger index or event id</label>
            <input
              id="entry-lookup"
              type="text"
              value={lookup}
              spellcheck={false}
              onInput={(event) => setLookup(event.currentTarget.value)}
            />
          </div>
          <button type="submit" disabled={working || !WEB_CRYPTO}>
            {working ? 'Verifying…' : 'Verify inclusion'}
          </button>
        </form>
        {!WEB_CRYPTO && (
          <p class="notice notice-error">
            This browser offers no Web Crypto here: it does so only on HTTPS pages and on localhost. Serve sre-agent
            over HTTPS, or open it as http://localhost, to verify in the browser; `sre-agent ledger verify` checks
            offline.
          </p>
        )}
        <p role="status" class="visually-hidden">
          {working
            ? 'Verifying…'
            : verification === undefined
              ? ''
              : verification.result.ok
                ? `Entry ${verification.entry.index} verified: it is in the signed ledger.`
                : `Entry ${verification.entry.index} did not verify.`}
        </p>
        <ErrorNotice error={error} what="verify the entry" />
        {verification !== undefined && (
          <div ref={result} class="verification" data-verified={verification.result.ok ? 'true' : 'false'}>
            <p>
              {verification.result.ok ? (
                <Badge tone="good" label={`Entry ${verification.entry.index} is in the signed ledger`} />
              ) : (
                <Badge tone="bad" label={`Entry ${verification.entry.index} did not verify`} />
              )}
            </p>
            {verification.withServerKey && (
              <p class="small">
                Checked with the key this server offered. For a check that does not rest on the server, paste the key
                your organisation published above.
              </p>
            )}
            <ol class="steps">
              {verification.result.steps.map((step) => (
                <li key={step.label}>
                  <Badge tone={step.ok ? 'good' : 'bad'} label={step.ok ? 'passed' : 'failed'} />{' '}
                  <strong>{step.label}</strong>: <span class="break">{step.detail}</span>
                </li>
              ))}
            </ol>
            {verification.result.leafText !== undefined && (
              <>
                <h3>The entry, as its verified bytes say</h3>
                <pre>{prettyLeaf(verification.result.leafText)}</pre>
              </>
            )}
          </div>
        )}
      </section>

      <section aria-labelledby="recent-heading">
        <h2 id="recent-heading">Newest entries</h2>
        <ErrorNotice error={recent.error} what="read the newest entries" />
        {recent.data !== undefined && (
          <table class="compact">
            <thead>
              <tr>
                <th scope="col">Index</th>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Subject</th>
                <th scope="col">Actor</th>
                <th scope="col">Proof</th>
              </tr>
            </thead>
            <tbody>
              {recent.data.map((item) => (
                <tr key={item.index}>
                  <th scope="row" class="number">
                    {item.index}
                  </th>
                  <td>{formatTime(item.event.time, session.timeZone, true)}</td>
                  <td>
                    <code>{item.event.type}</code>
                  </td>
                  <td>{item.event.subject}</td>
                  <td>{item.event.actor}</td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      disabled={working || !WEB_CRYPTO}
                      onClick={() => {
                        setLookup(item.index);
                        if (WEB_CRYPTO) void verify(item.index, verifierKey);
                      }}
                    >
                      Verify<span class="visually-hidden"> entry {item.index}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Page>
  );
}
