/** The signed-in user and the console's configuration, shared by every page. */
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken } from './api.js';
import type { ConsoleConfig, User } from './types.js';

export interface SessionState {
  user: User | undefined;
  config: ConsoleConfig | undefined;
}

let state: SessionState = { user: undefined, config: undefined };
const listeners = new Set<(s: SessionState) => void>();

function set(next: Partial<SessionState>): void {
  state = { ...state, ...next };
  for (const l of listeners) l(state);
}

export function useSession(): SessionState {
  const [s, setS] = useState(state);
  useEffect(() => {
    listeners.add(setS);
    setS(state);
    return () => {
      listeners.delete(setS);
    };
  }, []);
  return s;
}

export function signedIn(answer: { user: User; csrfToken: string }): void {
  setCsrfToken(answer.csrfToken);
  set({ user: answer.user });
}

export function signedOut(): void {
  setCsrfToken(undefined);
  set({ user: undefined });
}

export async function loadConfig(): Promise<ConsoleConfig | undefined> {
  try {
    const config = await api.get<ConsoleConfig>('/api/console/config', { allow401: true });
    set({ config });
    return config;
  } catch {
    return undefined;
  }
}

export const isAdmin = (user: User | undefined): boolean => user?.role === 'admin';
