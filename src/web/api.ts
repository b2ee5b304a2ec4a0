/**
 * The dashboard's only way to the server: the public HTTP API, with the token from session storage. The token never
 * goes into a URL, and it is forgotten when the tab closes.
 * @module
 */

const TOKEN_KEY = 'sre-agent.token';

export function storedToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export interface ProblemDetail {
  readonly path: string;
  readonly message: string;
}

/** A refusal or failure from the API, with the server's own words. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details: ReadonlyArray<ProblemDetail>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const signedOutListeners = new Set<() => void>();

/** Called when the server says the token is no longer good (401), so the app can ask for another. */
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string; readonly details?: ProblemDetail[] };
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT';
  readonly body?: unknown;
  readonly token?: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** JSON from the API; the types in api-types.ts describe what the server sends. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await send(path, options, 'application/json')).json();
}

/** Text from the API: Markdown drafts and signed notes. */
export async function requestText(path: string, options: RequestOptions = {}): Promise<string> {
  return (await send(path, options, 'text/plain, text/markdown')).text();
}

async function send(path: string, options: RequestOptions, accept: string): Promise<Response> {
  const token = options.token ?? storedToken();
  const headers: Record<string, string> = { accept };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const init: RequestInit = {
    method: options.method ?? 'GET',
    headers,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError('the server did not answer; check that sre-agent is running', 0, 'NETWORK', []);
  }
  if (!response.ok) {
    let body: ErrorBody = {};
    try {
      body = (await response.json()) as ErrorBody;
    } catch {
      // A proxy's HTML error page, say: the status is all there is.
    }
    const error = new ApiError(
      body.error?.message ?? `the server answered ${response.status}`,
      response.status,
      body.error?.code ?? `HTTP_${response.status}`,
      body.error?.details ?? [],
    );
    if (response.status === 401 && options.token === undefined) {
      forgetToken();
      for (const listener of signedOutListeners) listener();
    }
    throw error;
  }
  return response;
}

/** Builds a query string from the defined values only. */
export function query(values: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
