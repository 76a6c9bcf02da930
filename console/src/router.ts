/**
 * A tiny history router: the path is state, `navigate` pushes, links are ordinary `<a href>`s
 * intercepted by `Link`. A page with unsaved changes registers a guard that may refuse to leave.
 */
import { useEffect, useState } from 'preact/hooks';

type Listener = (path: string) => void;
const listeners = new Set<Listener>();
let guard: (() => boolean) | undefined;
let current = location.pathname + location.search;

/** `guard` answers true when leaving is fine (asking the user if needed). */
export function setLeaveGuard(next: (() => boolean) | undefined): void {
  guard = next;
}

function emit(): void {
  current = location.pathname + location.search;
  for (const l of listeners) l(current);
}

export function navigate(to: string, options: { replace?: boolean; force?: boolean } = {}): void {
  if (to === current) return;
  if (options.force !== true && guard !== undefined && !guard()) return;
  if (options.force === true) guard = undefined;
  if (options.replace === true) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  emit();
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => {
  if (guard !== undefined && !guard()) {
    // Stay: put the page we are on back.
    history.pushState(null, '', current);
    return;
  }
  emit();
});

export function usePath(): string {
  const [path, setPath] = useState(current);
  useEffect(() => {
    listeners.add(setPath);
    return () => {
      listeners.delete(setPath);
    };
  }, []);
  return path;
}

/** Matches `/workflows/:id` against a path: the params, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const bare = path.split('?')[0] ?? '';
  const want = pattern.split('/');
  const got = bare.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? '';
    const g = got[i] ?? '';
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(g);
    else if (w !== g) return undefined;
  }
  return params;
}

/** Click on an in-app link: navigate without reloading (modified clicks keep the browser's way). */
export function onLinkClick(event: MouseEvent): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const anchor = (event.currentTarget as HTMLAnchorElement | null) ?? undefined;
  const href = anchor?.getAttribute('href');
  if (href?.startsWith('/') !== true) return;
  event.preventDefault();
  navigate(href);
}
