/**
 * The store's tables as Kysely sees them (migration 2 and the parts of migration 1 they join).
 * One typed query layer: the same queries run on SQLite today and on PostgreSQL later.
 * JSON columns hold JSON text; timestamps are ISO-8601 text; flags are 0/1 integers.
 */
import type Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type Generated, type SqliteDatabase } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  name: string;
  /** Lower-cased; unique when set. */
  email: string | null;
  password_hash: string | null;
  created_at: string;
  /** The name shown in the console (migration 4); null when none was given. */
  display_name: Generated<string | null>;
}

/** Store-wide facts by key (migration 1). */
export interface MetaTable {
  key: string;
  value: string;
}

export interface MembershipsTable {
  user_id: number;
  organisation_id: number;
  role: 'admin' | 'member';
}

export interface ApiTokensTable {
  id: string;
  user_id: number;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface WorkflowsTable {
  id: string;
  name: string;
  owner_id: number;
  /** Set when the workflow is shared with the organisation; null for the owner only. */
  organisation_id: number | null;
  current_version: number;
  created_at: string;
  updated_at: string;
  /** Bumped to rotate the webhook token (the token is derived from the master key, id and this). */
  hook_generation: Generated<number>;
}

export interface WorkflowVersionsTable {
  workflow_id: string;
  version: number;
  /** The workflow document, JSON. */
  document: string;
  created_by: number | null;
  created_at: string;
}

export interface RunsTable {
  id: string;
  workflow_id: string;
  workflow_version: number;
  owner_id: number;
  status: string;
  /** `{ type, body, headers, query }`, JSON, redacted. */
  trigger_data: string;
  replay_of: string | null;
  output: string | null;
  error: string | null;
  /** `host:pid:engine` of the engine running it; with `heartbeat_at`, how orphans are found. */
  claimed_by: string | null;
  heartbeat_at: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface StepRunsTable {
  run_id: string;
  /** Unique within the run: `upsert`, or `loop[2].inner` for a step inside a loop iteration. */
  step_key: string;
  step_id: string;
  parent_key: string | null;
  item_index: number | null;
  seq: number;
  operation: string | null;
  authentication: string | null;
  status: string;
  /** `sending` once the request may be on the wire. */
  phase: string | null;
  /** 1 when sending the request again cannot cause a second effect. */
  resendable: number | null;
  attempts: number;
  generated_ids: string | null;
  input: string | null;
  output: string | null;
  error: string | null;
  exchanges: string | null;
  reused_from: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface SessionsTable {
  /** sha256 (hex) of the session cookie's value; the value itself is never stored. */
  id: string;
  user_id: number;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

export interface TriggerKeysTable {
  workflow_id: string;
  key: string;
  run_id: string | null;
  created_at: string;
}

export interface Tables {
  meta: MetaTable;
  users: UsersTable;
  memberships: MembershipsTable;
  api_tokens: ApiTokensTable;
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  runs: RunsTable;
  step_runs: StepRunsTable;
  trigger_keys: TriggerKeysTable;
  sessions: SessionsTable;
}

/**
 * A Kysely over an open better-sqlite3 connection (the store's). Never `destroy()` it: that would
 * close the connection its owner still uses.
 */
export function kyselyFor(db: Database.Database): Kysely<Tables> {
  return new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(db) }) });
}

/**
 * Kysely prepares every query's SQL again on each execution; compiling a statement costs more than
 * running it. The same few statements run for every step, so they are prepared once and kept.
 */
function withStatementCache(db: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => {
      db.close();
    },
    prepare: (sql) => {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = db.prepare(sql);
        // Queries with IN lists of varying length make new texts: keep the cache bounded.
        if (statements.size >= 500) statements.clear();
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
