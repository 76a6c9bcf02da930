/**
 * What the routes use: one store connection shared by the accounts, the authentications (one view
 * per user), the workflows and the engine; the scheduler; the clock.
 */
import { authStoreResolver, type AuthenticationResolver } from '../engine/authentications.js';
import type { Engine } from '../engine/engine.js';
import { ConfigError } from '../errors.js';
import type { AccountsStore } from '../store/accounts-store.js';
import { AuthStore, type StoreConnection } from '../store/auth-store.js';
import type { SessionsStore } from '../store/sessions-store.js';
import type { WorkflowAccess } from '../store/workflow-access.js';
import type { WorkflowStore } from '../store/workflow-store.js';
import type { LoginLimiter } from './login-limiter.js';
import type { Clock } from './triggers/clock.js';
import type { Scheduler } from './triggers/schedule.js';

export interface Services {
  connection: StoreConnection;
  accounts: AccountsStore;
  workflows: WorkflowStore;
  access: WorkflowAccess;
  engine: Engine;
  scheduler: Scheduler;
  clock: Clock;
  /** The emulator's origin, for authentications with region `emulator`. */
  emulatorUrl: string | undefined;
  /** The authentication store as this user sees it (Personal ones only their own). */
  authFor(userId: number): AuthStore;
  /** The console's login sessions. */
  sessions: SessionsStore;
  /** Sign-in attempts per email and per IP. */
  loginLimiter: LoginLimiter;
}

/** One `AuthStore` view per user over the shared connection (user rows never change name). */
export function authViews(connection: StoreConnection): (userId: number) => AuthStore {
  const views = new Map<number, AuthStore>();
  return (userId) => {
    let view = views.get(userId);
    if (view === undefined) {
      const row = connection.db.prepare('SELECT name FROM users WHERE id = ?').get(userId) as
        { name: string } | undefined;
      if (row === undefined) throw new ConfigError(`There is no user ${String(userId)}`);
      view = AuthStore.over(connection, row.name);
      views.set(userId, view);
    }
    return view;
  };
}

/** The engine resolves a run's authentications as the workflow's owner sees them. */
export function serverResolver(authFor: (userId: number) => AuthStore): AuthenticationResolver {
  return {
    resolve: (ownerId, name, connector) =>
      authStoreResolver(authFor(ownerId)).resolve(ownerId, name, connector),
  };
}
