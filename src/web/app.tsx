import { useEffect, useErrorBoundary, useState } from 'preact/hooks';
import { forgetToken, onSignedOut, request, storedToken } from './api.js';
import type { Me, Organisation } from './api-types.js';
import { ErrorNotice, Loading } from './components/page.js';
import { DEFAULT_TIME_ZONE } from './format.js';
import { type Session, SessionContext, useLoad } from './hooks.js';
import { parseRoute, type Route } from './lib/routes.js';
import { ChangePage } from './pages/change.js';
import { ChangesPage } from './pages/changes.js';
import { IncidentPage } from './pages/incident.js';
import { IncidentsPage } from './pages/incidents.js';
import { LedgerPage } from './pages/ledger.js';
import { NotFound } from './pages/not-found.js';
import { OverviewPage } from './pages/overview.js';
import { ServicePage } from './pages/service.js';
import { SignIn } from './pages/sign-in.js';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = (): void => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}

const NAV = [
  { href: '#/', label: 'Overview', pages: ['overview', 'service'] },
  { href: '#/incidents', label: 'Incidents', pages: ['incidents', 'incident'] },
  { href: '#/changes', label: 'Changes', pages: ['changes', 'change'] },
  { href: '#/ledger', label: 'Ledger', pages: ['ledger'] },
] as const;

/** A page that fails to render says so, and the rest of the dashboard goes on working. */
function Guarded({ route }: { readonly route: Route }) {
  const [error, reset] = useErrorBoundary();
  // A new route clears the failure of the last one.
  useEffect(() => reset(), [route]);
  if (error !== undefined) {
    return (
      <main id="main" data-page="failed" aria-busy="false">
        <h1>This page could not be shown</h1>
        <div class="notice notice-error" role="alert">
          {error instanceof Error ? error.message : String(error)}
        </div>
        <p>
          Go back to the <a href="#/">overview</a>. The API and the CLI give the same facts.
        </p>
      </main>
    );
  }
  return <CurrentPage route={route} />;
}

function CurrentPage({ route }: { readonly route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'service':
      return <ServicePage key={route.name} name={route.name} />;
    case 'incidents':
      return <IncidentsPage />;
    case 'incident':
      return <IncidentPage key={route.id} id={route.id} />;
    case 'changes':
      return <ChangesPage />;
    case 'change':
      return <ChangePage key={route.id} id={route.id} />;
    case 'ledger':
      return <LedgerPage entry={route.entry} />;
    case 'not-found':
      return <NotFound path={route.path} />;
  }
}

async function loadSession(): Promise<Session> {
  const [me, organisation] = await Promise.all([
    request<Me>('/api/v1/me'),
    request<Organisation>('/api/v1/organisation').catch(() => undefined),
  ]);
  return {
    me,
    timeZone: organisation?.timeZone ?? DEFAULT_TIME_ZONE,
    organisation: organisation?.name ?? '',
  };
}

function SignedIn({ onSignOut }: { readonly onSignOut: () => void }) {
  const route = useRoute();
  const session = useLoad(loadSession, 'session');
  return (
    <>
      <header class="top">
        <button
          type="button"
          class="skip"
          onClick={() => document.getElementById('main')?.querySelector('h1')?.focus()}
        >
          Skip to main content
        </button>
        <div class="brand">
          <span class="brand-name">sre-agent</span>
          {session.data?.organisation !== undefined && session.data.organisation !== '' && (
            <span class="brand-org">{session.data.organisation}</span>
          )}
        </div>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a
                  href={item.href}
                  aria-current={(item.pages as ReadonlyArray<string>).includes(route.page) ? 'page' : undefined}
                >
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          {session.data !== undefined && (
            <span>
              Signed in as <strong>{session.data.me.name ?? session.data.me.actor}</strong>
              {session.data.me.role !== undefined && <> ({session.data.me.role})</>}
            </span>
          )}
          <button type="button" class="secondary" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      {session.data === undefined ? (
        <main id="main" data-page="session" aria-busy={session.loading ? 'true' : 'false'}>
          {session.loading ? (
            <Loading what="your session" />
          ) : (
            <ErrorNotice error={session.error} what="load your session" />
          )}
        </main>
      ) : (
        <SessionContext.Provider value={session.data}>
          <Guarded route={route} />
        </SessionContext.Provider>
      )}
      <footer class="bottom">
        <p>
          Times in {session.data?.timeZone ?? DEFAULT_TIME_ZONE}, with UTC beside them where a deadline depends on it.
          Pages refresh every 10 s.
        </p>
      </footer>
    </>
  );
}

export function App() {
  const [signedIn, setSignedIn] = useState(() => storedToken() !== undefined);
  useEffect(() => onSignedOut(() => setSignedIn(false)), []);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return (
    <SignedIn
      onSignOut={() => {
        forgetToken();
        setSignedIn(false);
      }}
    />
  );
}
