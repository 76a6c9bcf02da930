/**
 * The shell: finds out whether setup is needed and who is signed in, then shows the header
 * (navigation, the user, Log out) and the page for the path. A 401 anywhere comes back here and
 * shows the login page.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, setUnauthorizedHandler } from './api.js';
import { match, navigate, onLinkClick, usePath } from './router.js';
import { loadConfig, signedIn, signedOut, useSession, isAdmin } from './session.js';
import type { User } from './types.js';
import { ErrorBox, Loading } from './ui/feedback.js';
import { LoginPage, SetupPage } from './pages/sign-in.js';
import { WorkflowsPage } from './pages/workflows.js';
import { BuilderPage } from './builder/builder-page.js';
import { AuthenticationsPage } from './pages/authentications.js';
import { MembersPage } from './pages/members.js';
import { TokensPage } from './pages/tokens.js';

type Boot = { kind: 'loading' } | { kind: 'ready' } | { kind: 'failed'; error: unknown };

const PUBLIC = new Set(['/login', '/setup']);

export function App() {
  const [boot, setBoot] = useState<Boot>({ kind: 'loading' });
  const path = usePath();
  const { user } = useSession();

  useEffect(() => {
    setUnauthorizedHandler(() => {
      signedOut();
      const here = location.pathname;
      if (!PUBLIC.has(here))
        navigate(`/login?next=${encodeURIComponent(here + location.search)}`, { replace: true, force: true });
    });
    void (async () => {
      try {
        void loadConfig();
        const setup = await api.get<{ required: boolean }>('/api/setup', { allow401: true });
        if (setup.required) {
          navigate('/setup', { replace: true, force: true });
          setBoot({ kind: 'ready' });
          return;
        }
        try {
          signedIn(await api.get<{ user: User; csrfToken: string }>('/api/session', { allow401: true }));
          if (PUBLIC.has(location.pathname)) navigate('/', { replace: true, force: true });
        } catch {
          if (!PUBLIC.has(location.pathname) || location.pathname === '/setup')
            navigate(
              `/login${location.pathname === '/' || location.pathname === '/setup' ? '' : `?next=${encodeURIComponent(location.pathname)}`}`,
              {
                replace: true,
                force: true,
              },
            );
        }
        setBoot({ kind: 'ready' });
      } catch (error) {
        setBoot({ kind: 'failed', error });
      }
    })();
  }, []);

  if (boot.kind === 'loading')
    return (
      <main class="page narrow" id="app-main">
        <Loading label="Starting the console…" />
      </main>
    );
  if (boot.kind === 'failed')
    return (
      <main class="page narrow" id="app-main">
        <h1>The console could not start</h1>
        <ErrorBox error={boot.error} />
      </main>
    );

  const bare = path.split('?')[0] ?? '/';
  if (bare === '/setup') return <SetupPage />;
  if (user === undefined || bare === '/login') return <LoginPage />;

  const builder = match('/workflows/:id', bare);
  return (
    <div class={builder === undefined ? 'shell' : 'shell shell-builder'}>
      <Header user={user} path={bare} />
      {builder !== undefined ? (
        <BuilderPage key={builder['id']} id={builder['id'] ?? 'new'} />
      ) : (
        <main class="page" id="app-main">
          {bare === '/' || bare === '/workflows' ? (
            <WorkflowsPage />
          ) : bare === '/authentications' ? (
            <AuthenticationsPage />
          ) : bare === '/members' ? (
            <MembersPage />
          ) : bare === '/tokens' ? (
            <TokensPage />
          ) : (
            <>
              <h1>Page not found</h1>
              <p>
                Nothing lives at <code>{bare}</code>.{' '}
                <a href="/" onClick={onLinkClick}>
                  Back to the workflows
                </a>
              </p>
            </>
          )}
        </main>
      )}
    </div>
  );
}

function Header(props: { user: User; path: string }) {
  const links: [string, string][] = [
    ['/', 'Workflows'],
    ['/authentications', 'Authentications'],
    ['/members', 'Members'],
    ['/tokens', 'API tokens'],
  ];
  const current = (href: string): boolean =>
    href === '/' ? props.path === '/' || props.path.startsWith('/workflows') : props.path.startsWith(href);
  const logOut = async (): Promise<void> => {
    try {
      await api.del('/api/session');
    } finally {
      signedOut();
      navigate('/login', { force: true });
    }
  };
  return (
    <header class="topbar">
      <a class="brand" href="/" onClick={onLinkClick}>
        <span class="brand-mark" aria-hidden="true">
          ◆
        </span>{' '}
        cioc console
      </a>
      <nav aria-label="Main">
        <ul>
          {links.map(([href, label]) => (
            <li key={href}>
              <a href={href} onClick={onLinkClick} aria-current={current(href) ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="topbar-user">
        <span>
          {props.user.name ?? props.user.email}
          {isAdmin(props.user) ? <span class="badge badge-role">admin</span> : null}
        </span>
        <button type="button" class="ghost" onClick={() => void logOut()}>
          Log out
        </button>
      </div>
    </header>
  );
}
