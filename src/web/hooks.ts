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
 * Loads once, then again every `refreshMs` while the tab is visible. Earlier data stays on screen while a refresh is
 * in flight, so nothing flickers; a refresh that fails keeps the data and shows the error beside it.
 */
export function useLoad<T>(load: () => Promise<T>, key: string, refreshMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: ApiError | undefined; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let cancelled = false;
    setState((before) => (before.data === undefined ? { ...before, loading: true } : before));
    const run = (): void => {
      loadRef.current().then(
        (data) => {
          if (!cancelled) setState({ data, error: undefined, loading: false });
        },
        (error: unknown) => {
          if (!cancelled) setState((before) => ({ data: before.data, error: asApiError(error), loading: false }));
        },
      );
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

  return { ...state, reload: () => setGeneration((value) => value + 1) };
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
