import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';
import type { Me } from './api-types.js';
import { DEFAULT_TIME_ZONE } from './format.js';

/** How often pages ask the server again: clocks, incidents and burn rates stay live without a reload. */
export const REFRESH_MS = 10_000;

export interface Session {
  readonly me: Me;
  readonly timeZone: string;
  readonly organisation: string;
}

export const SessionContext = createContext<Session>({
  me: { actor: '', permissions: [] },
  timeZone: DEFAULT_TIME_ZONE,
  organisation: '',
});

export function useSession(): Session {
  return useContext(SessionContext);
}

export function can(session: Session, permission: string): boolean {
  return session.me.permissions.includes(permission);
}

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  /** True until the first answer (data or error) arrives. */
  readonly loading: boolean;
  readonly reload: () => void;
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(error instanceof Error ? error.message : 'something went wrong', 0, 'CLIENT', []);
}

/**
 * Loads once, then again every `refreshMs` while the tab is visible. Data belongs to its key: when the key changes
 * (another range, another filter) the earlier data is dropped, not shown under the new heading. A refresh keeps the
 * data on screen while it runs, and a failed refresh keeps it beside the error. A poll is skipped while the last
 * request is still out, so an old answer never overwrites a newer one.
 */
export function useLoad<T>(load: () => Promise<T>, key: string, refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{
    key: string;
    data: T | undefined;
    error: ApiError | undefined;
    loading: boolean;
  }>({ key, data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let cancelled = false;
    let inFlight = false;
    setState((before) => (before.key === key ? before : { key, data: undefined, error: undefined, loading: true }));
    const run = (): void => {
      if (inFlight) return;
      inFlight = true;
      loadRef
        .current()
        .then(
          (data) => {
            if (!cancelled) setState({ key, data, error: undefined, loading: false });
          },
          (error: unknown) => {
            if (!cancelled) {
              setState((before) => ({
                key,
                data: before.key === key ? before.data : undefined,
                error: asApiError(error),
                loading: false,
              }));
            }
          },
        )
        .finally(() => {
          inFlight = false;
        });
    };
    run();
    const timer =
      refreshMs === undefined
        ? undefined
        : setInterval(() => {
            if (!document.hidden) run();
          }, refreshMs);
    return () => {
      cancelled = true;
      if (timer !== undefined) clearInterval(timer);
    };
  }, [key, generation, refreshMs]);

  // Until the effect has run for a new key, what is held belongs to the old one.
  if (state.key !== key)
    return { data: undefined, error: undefined, loading: true, reload: () => setGeneration((value) => value + 1) };
  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    reload: () => setGeneration((value) => value + 1),
  };
}

/** The current time, ticking every `everyMs`: countdowns move between refreshes. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
