/**
 * The names of the authentications a user may see, and nothing else: what shell completion offers
 * after `--auth`. A read-only SQLite query over the store's file, on every Tab: it never reads the
 * master key or loads the secret code (./secret-box.ts), never creates, migrates or enrols, and
 * never writes.
 */
import Database from 'better-sqlite3';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { ConnectorId } from '../regions.js';
import { cioHome, storeExists } from './location.js';

export type Scope = 'personal' | 'organisational';

export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  const user = env['CIOC_USER'];
  return user !== undefined && user !== '' ? user : userInfo().username;
}

/**
 * The reference that picks `auth` among `all` (what the user can see): its bare name, or
 * `scope:name` when a Personal and an Organisational one share the name (the Organisational one
 * needs it; the Personal one is the bare name's first pick, but is qualified too, to be plain).
 */
export function referenceFor(
  auth: { readonly name: string; readonly scope: Scope },
  all: readonly { readonly name: string; readonly scope: Scope }[],
): string {
  const shared = all.some((other) => other.name === auth.name && other.scope !== auth.scope);
  return shared ? `${auth.scope}:${auth.name}` : auth.name;
}

interface NameRow {
  name: string;
  scope: Scope;
  connector: ConnectorId;
}

/**
 * The names (and, for a name a Personal and an Organisational authentication share, both qualified
 * forms) of the authentications `CIOC_USER` may see; only `connector`'s when given. No store, an
 * unknown user or an unreadable file: none.
 */
export function authenticationNames(env: NodeJS.ProcessEnv, connector?: ConnectorId): string[] {
  if (!storeExists(env)) return [];
  let db: Database.Database | undefined;
  try {
    db = new Database(join(cioHome(env), 'cioc.db'), { readonly: true, fileMustExist: true, timeout: 1000 });
    const rows = db
      .prepare(
        `SELECT a.name, a.scope, a.connector
         FROM authentications a, users u
         WHERE u.name = @user
           AND ((a.scope = 'personal' AND a.owner_id = u.id)
             OR (a.scope = 'organisational' AND a.organisation_id IN (SELECT organisation_id FROM memberships WHERE user_id = u.id)))
         ORDER BY a.name, a.scope DESC`,
      )
      .all({ user: currentUser(env) }) as NameRow[];
    // Qualified by what the user sees across connectors: `--auth prod` resolves among them all.
    // For one connector, a bare name shared with the other scope is offered only when it picks
    // this one (the Personal one is a bare name's first pick).
    const wanted = connector === undefined ? rows : rows.filter((r) => r.connector === connector);
    return [
      ...new Set(
        wanted.flatMap((r) => {
          const reference = referenceFor(r, rows);
          const bare = connector === undefined || reference === r.name || r.scope === 'personal';
          return bare ? [r.name, reference] : [reference];
        }),
      ),
    ];
  } catch {
    // Completing a word is no place for errors: the next real command reports them.
    return [];
  } finally {
    db?.close();
  }
}
