/**
 * Host and Origin checks for MCP over HTTP, against DNS rebinding: a web page on another site must not reach a
 * server on this machine through the browser. The SDK leaves this to the framework.
 * @module
 */

export interface AllowedOrigins {
  /** Where the server listens, once it does; `undefined` before (as under `inject()`), when any port is taken. */
  readonly listening: { readonly address: string; readonly port: number } | undefined;
  /** Further Host values, `name` or `name:port`, such as the name a reverse proxy forwards under. */
  readonly hosts: ReadonlyArray<string>;
  /** Origins allowed besides the server's own, exactly as browsers send them, such as `https://console.example`. */
  readonly origins: ReadonlyArray<string>;
}

export type OriginVerdict = { readonly ok: true } | { readonly ok: false; readonly message: string };

const LOOPBACK_NAMES: ReadonlyArray<string> = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARD_ADDRESSES: ReadonlyArray<string> = ['0.0.0.0', '::', '[::]'];
const HOST_PATTERN = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::([0-9]{1,5}))?$/;

/**
 * Allows a request whose Host names this server (its listen address or a loopback name, on its port, or a host
 * configured) and whose Origin, when it sends one, is the server's own or one configured.
 */
export function checkOrigin(
  headers: { readonly host: string | undefined; readonly origin: string | undefined },
  allowed: AllowedOrigins,
): OriginVerdict {
  if (headers.host === undefined || !hostAllowed(headers.host, allowed)) {
    return { ok: false, message: `the Host header ${JSON.stringify(headers.host ?? '')} does not name this server` };
  }
  const origin = headers.origin;
  if (origin === undefined || allowed.origins.includes(origin)) return { ok: true };
  if (URL.canParse(origin)) {
    const url = new URL(origin);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && hostAllowed(url.host, allowed)) return { ok: true };
  }
  return { ok: false, message: `the origin ${JSON.stringify(origin)} is not allowed` };
}

function hostAllowed(value: string, allowed: AllowedOrigins): boolean {
  const host = value.toLowerCase();
  if (allowed.hosts.some((candidate) => candidate.toLowerCase() === host)) return true;
  const match = HOST_PATTERN.exec(host);
  const name = match?.[1];
  if (name === undefined) return false;
  const listening = allowed.listening;
  if (listening === undefined) return LOOPBACK_NAMES.includes(name);
  const address = listening.address.includes(':') ? `[${listening.address}]` : listening.address;
  const names = WILDCARD_ADDRESSES.includes(address) ? LOOPBACK_NAMES : [...LOOPBACK_NAMES, address];
  const port = match?.[2] === undefined ? 80 : Number(match[2]);
  return names.includes(name) && port === listening.port;
}
