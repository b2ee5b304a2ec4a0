export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'service'; readonly name: string }
  | { readonly page: 'incidents' }
  | { readonly page: 'incident'; readonly id: string }
  | { readonly page: 'changes' }
  | { readonly page: 'change'; readonly id: string }
  | { readonly page: 'ledger'; readonly entry: string | undefined }
  | { readonly page: 'not-found'; readonly path: string };

/** Routes live in the fragment (`#/incidents/INC-1`), so the server serves one page and never sees them. */
export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  let parts: string[];
  try {
    parts = path
      .split('/')
      .filter((part) => part !== '')
      .map(decodeURIComponent);
  } catch {
    // A malformed escape (`%E0%A4%A`) is a page that does not exist, not a crash.
    return { page: 'not-found', path };
  }
  const [first, second] = parts;
  if (parts.length === 0) return { page: 'overview' };
  if (first === 'services' && second !== undefined && parts.length === 2) return { page: 'service', name: second };
  if (first === 'incidents' && parts.length === 1) return { page: 'incidents' };
  if (first === 'incidents' && second !== undefined && parts.length === 2) return { page: 'incident', id: second };
  if (first === 'changes' && parts.length === 1) return { page: 'changes' };
  if (first === 'changes' && second !== undefined && parts.length === 2) return { page: 'change', id: second };
  if (first === 'ledger' && parts.length === 1) {
    return { page: 'ledger', entry: new URLSearchParams(search).get('entry') ?? undefined };
  }
  return { page: 'not-found', path };
}
