/** First-run setup (the first admin account) and login. Fields "Email" and "Password". */
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { navigate } from '../router.js';
import { signedIn } from '../session.js';
import type { User } from '../types.js';
import { ErrorBox } from '../ui/feedback.js';

function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next');
  return next?.startsWith('/') === true && !next.startsWith('//') ? next : '/';
}

function SignInForm(props: { mode: 'setup' | 'login' }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const setup = props.mode === 'setup';

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = setup
        ? await api.post<{ user: User; csrfToken: string }>(
            '/api/setup',
            { email, password, ...(name.trim() === '' ? {} : { name: name.trim() }) },
            { allow401: true },
          )
        : await api.post<{ user: User; csrfToken: string }>(
            '/api/session',
            { email, password },
            { allow401: true },
          );
      setPassword('');
      signedIn(answer);
      navigate(setup ? '/' : nextPath(), { replace: true, force: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="app-main">
      <div class="signin-card">
        <p class="brand">
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          cioc console
        </p>
        <h1>{setup ? 'Create the first account' : 'Sign in'}</h1>
        {setup ? (
          <p class="muted">
            No one has an account yet. This one becomes the organisation’s admin; it can add members later.
          </p>
        ) : null}
        <form onSubmit={(e) => void submit(e)}>
          {setup ? (
            <div class="field">
              <label for="signin-name">Your name (optional)</label>
              <input
                id="signin-name"
                value={name}
                autoComplete="name"
                onInput={(e) => setName(e.currentTarget.value)}
              />
            </div>
          ) : null}
          <div class="field">
            <label for="signin-email">Email</label>
            <input
              id="signin-email"
              type="email"
              required
              autoComplete={setup ? 'email' : 'username'}
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="signin-password">Password</label>
            <input
              id="signin-password"
              type="password"
              required
              minLength={setup ? 10 : undefined}
              maxLength={200}
              autoComplete={setup ? 'new-password' : 'current-password'}
              aria-describedby={setup ? 'signin-password-help' : undefined}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
            {setup ? (
              <p class="help" id="signin-password-help">
                10 to 200 characters.
              </p>
            ) : null}
          </div>
          <ErrorBox error={error} />
          <button type="submit" class="primary wide" disabled={busy}>
            {setup ? 'Create account' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}

export const SetupPage = () => <SignInForm mode="setup" />;
export const LoginPage = () => <SignInForm mode="login" />;
