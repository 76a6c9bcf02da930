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
  // 2: accounts for the server (emails, password hashes, API tokens), workflows and their
  // versions, runs and step runs, trigger idempotency keys. Portable DDL (TEXT ids and ISO-8601
  // timestamps, JSON as TEXT, INTEGER flags) so the same tables can live in PostgreSQL.
  `
  ALTER TABLE users ADD COLUMN email TEXT;
  ALTER TABLE users ADD COLUMN password_hash TEXT;
  CREATE UNIQUE INDEX users_email ON users (email);
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
  );
  CREATE INDEX api_tokens_user ON api_tokens (user_id);
  CREATE TABLE workflows (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    organisation_id INTEGER REFERENCES organisations(id),
    current_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX workflows_owner ON workflows (owner_id, name);
  CREATE TABLE workflow_versions (
    workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    document TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (workflow_id, version)
  );
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    workflow_version INTEGER NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users(id),
    status TEXT NOT NULL,
    trigger_data TEXT NOT NULL,
    replay_of TEXT,
    output TEXT,
    error TEXT,
    claimed_by TEXT,
    heartbeat_at TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    duration_ms DOUBLE PRECISION
  );
  CREATE INDEX runs_workflow ON runs (workflow_id, created_at);
  CREATE INDEX runs_status ON runs (status);
  CREATE TABLE step_runs (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step_key TEXT NOT NULL,
    step_id TEXT NOT NULL,
    parent_key TEXT,
    item_index INTEGER,
    seq INTEGER NOT NULL,
    operation TEXT,
    authentication TEXT,
    status TEXT NOT NULL,
    phase TEXT,
    resendable INTEGER,
    attempts INTEGER NOT NULL,
    generated_ids TEXT,
    input TEXT,
    output TEXT,
    error TEXT,
    exchanges TEXT,
    reused_from TEXT,
    started_at TEXT,
    finished_at TEXT,
    duration_ms DOUBLE PRECISION,
    PRIMARY KEY (run_id, step_key)
  );
  CREATE TABLE trigger_keys (
    workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workflow_id, key)
  );
  `,
  // 3: the console's login sessions (the id is the sha256 of the cookie's value, never the value
  // itself), a generation for each workflow's webhook token (rotating it makes the old URL 404),
  // and the index replays of a run are found by.
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (user_id);
  ALTER TABLE workflows ADD COLUMN hook_generation INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX runs_replay_of ON runs (replay_of);
  `,
  // 4: the name a console user goes by (users.name stays the login identity: the email or the
  // CLI user name, unique).
  `
  ALTER TABLE users ADD COLUMN display_name TEXT;
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
