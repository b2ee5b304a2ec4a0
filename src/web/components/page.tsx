import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ApiError } from '../api.js';

interface PageProps {
  /** Names the page for tests and benchmarks: `main[data-page=…]`. */
  readonly name: string;
  readonly title: string;
  /** True until the page's first data has arrived; tests wait for aria-busy="false". */
  readonly busy: boolean;
  readonly children: ComponentChildren;
}

export function Page({ name, title, busy, children }: PageProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · sre-agent`;
  }, [title]);
  // After a navigation, focus moves to the new page's heading so screen readers announce it.
  useEffect(() => {
    heading.current?.focus();
  }, [name]);
  return (
    <main id="main" data-page={name} aria-busy={busy ? 'true' : 'false'}>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </main>
  );
}

export function ErrorNotice({ error, what }: { readonly error: ApiError | undefined; readonly what: string }) {
  if (error === undefined) return null;
  const refused = error.status === 403;
  return (
    // A refusal the role expects (a viewer and the ledger) is information, not an alarm to interrupt with.
    <div class={refused ? 'notice notice-refused' : 'notice notice-error'} role={refused ? undefined : 'alert'}>
      <strong>{refused ? `Not allowed to ${what}: ` : `Could not ${what}: `}</strong>
      {error.message}
      {error.details.length > 0 && (
        <ul>
          {error.details.map((detail) => (
            <li key={detail.path}>
              <code>{detail.path}</code> {detail.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { readonly what: string }) {
  return <p class="muted">Loading {what}…</p>;
}
