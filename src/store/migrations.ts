/** Versioned schema migrations, tracked in `PRAGMA user_version`. Append only; never edit a shipped one. */
import type Database from 'better-sqlite3';
import { ConfigError } from '../errors.js';

export const MIGRATIONS: readonly string[] = [
  // 1: users, the organisation, memberships, authentications, defaults, store metadata.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  CREATE TABLE memberships (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    PRIMARY KEY (user_id, organisation_id)
  );
  CREATE TABLE authentications (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    connector TEXT NOT NULL CHECK (connector IN ('track', 'app', 'beta')),
    scope TEXT NOT NULL CHECK (scope IN ('personal', 'organisational')),
    owner_id INTEGER NOT NULL REFERENCES users(id),
    organisation_id INTEGER REFERENCES organisations(id),
    region TEXT NOT NULL CHECK (region IN ('us', 'eu', 'emulator')),
    base_url TEXT,
    credentials TEXT NOT NULL,
    key_hint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_test_at TEXT,
    last_test_ok INTEGER,
    last_test_message TEXT,
    CHECK ((scope = 'organisational') = (organisation_id IS NOT NULL))
  );
  CREATE UNIQUE INDEX authentications_personal_name ON authentications (owner_id, name) WHERE scope = 'personal';
  CREATE UNIQUE INDEX authentications_organisational_name ON authentications (organisation_id, name) WHERE scope = 'organisational';
  CREATE TABLE defaults (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    connector TEXT NOT NULL,
    authentication_id TEXT NOT NULL REFERENCES authentications(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, connector)
  );
  `,
];

/**
 * Brings the schema up to date. Safe when several processes open a fresh store at once: the
 * version is read again inside an IMMEDIATE transaction (one writer at a time; the others wait on
 * the busy timeout), so each migration runs exactly once.
 */
export function migrate(db: Database.Database): number {
  if (schemaVersion(db) === MIGRATIONS.length) return MIGRATIONS.length;
  db.transaction(() => {
    for (let next = schemaVersion(db); next < MIGRATIONS.length; next++) {
      db.exec(MIGRATIONS[next] ?? '');
      db.pragma(`user_version = ${String(next + 1)}`);
    }
  }).immediate();
  return MIGRATIONS.length;
}

/** The store's schema version; a `ConfigError` when a newer cioc made it. */
export function schemaVersion(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new ConfigError(
      `The store was created by a newer version of cioc (schema ${String(current)}; this cioc knows ${String(MIGRATIONS.length)}).`,
      { hint: 'Upgrade cioc, or point CIOC_HOME at another directory.' },
    );
  }
  return current;
}
