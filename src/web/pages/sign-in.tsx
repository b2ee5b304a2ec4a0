import { useState } from 'preact/hooks';
import { ApiError, request, storeToken } from '../api.js';
import type { Me } from '../api-types.js';
import { ErrorNotice, Page } from '../components/page.js';

/** Asks for an API token, checks it with the server, and keeps it in this tab's session storage only. */
export function SignIn({ onSignedIn }: { readonly onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [checking, setChecking] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const value = token.trim();
    if (value === '') {
      setError(new ApiError('enter an API token', 400, 'CLIENT', []));
      return;
    }
    setChecking(true);
    try {
      await request<Me>('/api/v1/me', { token: value });
      storeToken(value);
      setToken('');
      onSignedIn();
    } catch (caught: unknown) {
      setError(caught instanceof ApiError ? caught : new ApiError('the token could not be checked', 0, 'CLIENT', []));
    } finally {
      setChecking(false);
    }
  };

  return (
    <Page name="sign-in" title="Sign in" busy={false}>
      <form class="sign-in" onSubmit={(event) => void submit(event)}>
        <p>
          Sign in with an sre-agent API token. Create one with{' '}
          <code>sre-agent token create --name NAME --role viewer</code>; <code>npm start</code> prints an admin token on
          its first start. The token stays in this tab only and is forgotten when the tab closes.
        </p>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          aria-describedby={error === undefined ? undefined : 'sign-in-error'}
        />
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
        <div id="sign-in-error">
          <ErrorNotice error={error} what="sign in" />
        </div>
      </form>
    </Page>
  );
}
