/** The CLI's way into the store: as `CIOC_USER` in `CIOC_HOME`, with the store's warnings on stderr. */
import { AuthStore } from '../store/auth-store.js';
import type { Io } from './io.js';

export function openStore(io: Io): AuthStore {
  return AuthStore.open({ env: io.env, onWarning: (message) => io.stderr.write(`warning: ${message}\n`) });
}

export function withStore<T>(io: Io, use: (store: AuthStore) => T): T {
  const store = openStore(io);
  try {
    return use(store);
  } finally {
    store.close();
  }
}
