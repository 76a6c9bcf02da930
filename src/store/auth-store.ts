/**
 * Named authentications: a name, a connector, a scope (Personal or Organisational), the
 * connector's credentials (encrypted at rest) and a region. One SQLite file in `CIOC_HOME`.
 *
 * Scope rules live here, in every query, not in the callers: a Personal authentication is visible
 * and usable only by its owner; an Organisational one by every member of the organisation, and
 * changed (or its test result recorded) only by its owner or an organisation admin.
 *
 * On one machine these rules organise; they do not protect. The user is whatever `CIOC_USER` says,
 * and whoever can read `CIOC_HOME` can read the master key beside the database. Enforcement between
 * people needs real logins: the server.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { CONNECTORS, type Credentials } from '../connectors.js';
import { CiocError, ConfigError, ValidationError, type ValidationIssue } from '../errors.js';
import {
  baseUrlFor,
  checkedHttpUrl,
  isConnectorId,
  isRegion,
  type ConnectorId,
  type Region,
} from '../regions.js';
import { ulid } from '../ulid.js';
import { MIGRATIONS, migrate, schemaVersion } from './migrations.js';
import { cioHome, storeExists } from './location.js';
import { currentUser, referenceFor } from './auth-names.js';

export { currentUser, referenceFor };
import { loadMasterKey, open, seal, type MasterKey } from './secret-box.js';

export { cioHome, storeExists };

export const SCOPES = ['personal', 'organisational'] as const;
export type Scope = (typeof SCOPES)[number];

export interface TestResult {
  at: string;
  ok: boolean;
  message: string;
}

/** An authentication as anyone may see it: never a secret, only a masked hint of the key. */
export interface AuthenticationInfo {
  id: string;
  name: string;
  connector: ConnectorId;
  scope: Scope;
  owner: string;
  region: Region;
  baseUrl: string | null;
  /** `…ab12`: the last four characters of the API key. */
  key: string;
  createdAt: string;
  updatedAt: string;
  lastTest: TestResult | null;
  /** Whether this is the current user's default for its connector. */
  isDefault: boolean;
}

/**
 * An authentication by name (as users type it) or by id (as the API addresses it). A name may
 * carry a qualifier, for when a Personal and an Organisational authentication share it:
 * `personal:prod`, `organisational:prod` (or `organizational:`), or `id:<id>`. A bare name is the
 * user's Personal one first, then the Organisational one.
 */
export type AuthenticationRef = string | { id: string };

/** The qualifiers a reference may start with (a new name may not, so that none is ever ambiguous). */
const QUALIFIED = /^(personal|organisational|organizational|id):(.+)$/s;

export interface ResolvedAuthentication extends AuthenticationInfo {
  credentials: Credentials;
}

export interface NewAuthentication {
  name: string;
  connector: string;
  scope?: string | undefined;
  region?: string | undefined;
  baseUrl?: string | undefined;
  credentials: Credentials;
  /**
   * Lets a `us`/`eu` authentication have a base URL other than Customer.io's: that sends its key to
   * another host (a proxy you run, say), so it must be asked for. The `emulator` region needs no
   * permission.
   */
  allowCustomBaseUrl?: boolean | undefined;
}

export interface AuthenticationChanges {
  name?: string | undefined;
  region?: string | undefined;
  /** `null` removes the override. */
  baseUrl?: string | null | undefined;
  credentials?: Credentials | undefined;
  /** As for `NewAuthentication`: needed when a change sends a Customer.io key to another host. */
  allowCustomBaseUrl?: boolean | undefined;
}

export interface StoreOptions {
  /** Default `CIOC_HOME`, then `~/.cioc`. */
  home?: string | undefined;
  /** Default `CIOC_USER`, then the OS user name. */
  user?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /**
   * Told about problems that do not stop the store, such as a `CIOC_HOME` other users can read that
   * is not ours to tighten. Default: `process.emitWarning`.
   */
  onWarning?: ((message: string) => void) | undefined;
}

const ORGANISATION = 'default';
const KEY_CHECK = 'cioc-key-check';
/** How long an open or a write waits for another process's write to finish. */
const BUSY_TIMEOUT_MS = 10_000;

interface Row {
  id: string;
  name: string;
  connector: ConnectorId;
  scope: Scope;
  owner: string;
  owner_id: number;
  organisation_id: number | null;
  region: Region;
  base_url: string | null;
  credentials: string;
  key_hint: string;
  created_at: string;
  updated_at: string;
  last_test_at: string | null;
  last_test_ok: number | null;
  last_test_message: string | null;
  is_default: number;
}

export interface StoreConnection {
  home: string;
  db: Database.Database;
  master: MasterKey;
}

/**
 * Opens (creating and migrating when needed) the store's SQLite file and its master key. Safe when
 * several processes open a fresh store at once; a damaged or newer store is a `ConfigError`.
 */
export function openStoreConnection(options: Omit<StoreOptions, 'user'> = {}): StoreConnection {
  const env = options.env ?? process.env;
  const home = options.home ?? cioHome(env);
  prepareHome(home, options.onWarning ?? warnProcess);
  const master = loadMasterKey(home, env);
  const file = join(home, 'cioc.db');
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw storeError(error, file);
  }
  try {
    retryWhileBusy(() => db.pragma('journal_mode = WAL'));
    // Only ciphertexts are stored, but the files are nobody else's business either.
    for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
    db.pragma('foreign_keys = ON');
    verifyMasterKey(
      db,
      master,
      retryWhileBusy(() => initialise(db, master, file)),
    );
  } catch (error) {
    db.close();
    throw storeError(error, file);
  }
  return { home, db, master };
}

export class AuthStore {
  readonly user: string;
  readonly home: string;
  // `#private`, not TypeScript's `private`: printing or serialising the store never reaches the
  // master key or the connection.
  readonly #db: Database.Database;
  readonly #master: MasterKey;
  /** The current user's row id (workflows and runs are owned by it). */
  readonly userId: number;
  private readonly organisationId: number;

  private constructor(home: string, user: string, db: Database.Database, master: MasterKey) {
    this.home = home;
    this.user = user;
    this.#db = db;
    this.#master = master;
    const ids = this.enrol(user);
    this.userId = ids.userId;
    this.organisationId = ids.organisationId;
  }

  static open(options: StoreOptions = {}): AuthStore {
    const env = options.env ?? process.env;
    return AuthStore.over(openStoreConnection(options), options.user ?? currentUser(env));
  }

  /**
   * The store acting as `user` over an already open connection (the server keeps one connection
   * and one view per signed-in user). Closing any view closes the shared connection.
   */
  static over(connection: StoreConnection, user: string): AuthStore {
    return new AuthStore(connection.home, user, connection.db, connection.master);
  }

  close(): void {
    this.#db.close();
  }

  /** The open connection, for the other stores on the same file (workflows, runs). */
  get database(): Database.Database {
    return this.#db;
  }

  /** The local user and their membership of the organisation (the first user is its admin). */
  private enrol(user: string): { userId: number; organisationId: number } {
    const enrol = this.#db.transaction(() => {
      const now = new Date().toISOString();
      this.#db
        .prepare('INSERT OR IGNORE INTO organisations (name, created_at) VALUES (?, ?)')
        .run(ORGANISATION, now);
      const organisationId = (
        this.#db.prepare('SELECT id FROM organisations WHERE name = ?').get(ORGANISATION) as { id: number }
      ).id;
      const userId = userIdFor(this.#db, user, now);
      const members = (
        this.#db
          .prepare('SELECT count(*) AS n FROM memberships WHERE organisation_id = ?')
          .get(organisationId) as { n: number }
      ).n;
      this.#db
        .prepare('INSERT OR IGNORE INTO memberships (user_id, organisation_id, role) VALUES (?, ?, ?)')
        .run(userId, organisationId, members === 0 ? 'admin' : 'member');
      return { userId, organisationId };
    });
    // IMMEDIATE: it reads then writes, and a deferred transaction could not wait for another writer.
    return enrol.immediate();
  }

  /** Every authentication this user may see: their Personal ones and their organisations'. */
  private visible(where: string, ...params: unknown[]): Row[] {
    return this.#db
      .prepare(
        `SELECT a.*, u.name AS owner,
           EXISTS (SELECT 1 FROM defaults d WHERE d.user_id = @user AND d.authentication_id = a.id) AS is_default
         FROM authentications a JOIN users u ON u.id = a.owner_id
         WHERE ((a.scope = 'personal' AND a.owner_id = @user)
             OR (a.scope = 'organisational' AND a.organisation_id IN (SELECT organisation_id FROM memberships WHERE user_id = @user)))
           ${where === '' ? '' : `AND (${where})`}
         ORDER BY a.connector, a.name, a.scope DESC`,
      )
      .all({ user: this.userId, ...Object.fromEntries(params.map((p, i) => [`p${String(i)}`, p])) }) as Row[];
  }

  list(connector?: ConnectorId): AuthenticationInfo[] {
    const rows = connector === undefined ? this.visible('') : this.visible('a.connector = @p0', connector);
    return rows.map(toInfo);
  }

  /** By name (the user's Personal one first, then an Organisational one), or exactly by `{ id }`. */
  private row(ref: AuthenticationRef): Row {
    if (typeof ref !== 'string') {
      const [row] = this.visible('a.id = @p0', ref.id);
      if (row === undefined)
        throw new ConfigError(`No authentication with id "${ref.id}" is visible to user "${this.user}".`);
      return row;
    }
    const name = ref;
    const qualified = QUALIFIED.exec(name);
    if (qualified !== null) {
      const [, kind = '', rest = ''] = qualified;
      const rows =
        kind === 'id'
          ? this.visible('a.id = @p0', rest)
          : this.visible(
              'a.name = @p0 AND a.scope = @p1',
              rest,
              kind === 'personal' ? 'personal' : 'organisational',
            );
      const [row] = rows;
      if (row !== undefined && rows.length === 1) return row;
      if (rows.length > 1) throw this.ambiguous(name, rows);
      // Not found as qualified: a name created before qualifiers existed may still look like one.
    }
    const rows = this.visible('a.name = @p0', name);
    const personal = rows.find((r) => r.scope === 'personal');
    if (personal !== undefined) return personal;
    const [row] = rows;
    if (row !== undefined && rows.length === 1) return row;
    if (rows.length > 1) throw this.ambiguous(name, rows);
    const all = this.visible('');
    const known = [...new Set(all.map((r) => referenceFor(r, all)))];
    throw new ConfigError(
      `No authentication named "${name}" is visible to user "${this.user}".${known.length === 0 ? ' Create one with `cioc auth create`.' : ` Known: ${known.join(', ')}.`}`,
    );
  }

  /** Several Organisational authentications of one name (from several organisations): name them all. */
  private ambiguous(name: string, rows: readonly Row[]): ConfigError {
    const candidates = rows.map((r) => `id:${r.id} (${r.scope}, ${r.connector}, owner ${r.owner})`);
    return new ConfigError(
      `"${name}" names ${String(rows.length)} authentications: ${candidates.join('; ')}.`,
      {
        hint: 'Pick one by its id: id:<id>.',
      },
    );
  }

  get(name: AuthenticationRef): AuthenticationInfo {
    return toInfo(this.row(name));
  }

  /** With decrypted credentials, for making calls. */
  resolve(name: AuthenticationRef): ResolvedAuthentication {
    const row = this.row(name);
    return { ...toInfo(row), credentials: this.decrypt(row) };
  }

  create(input: NewAuthentication): AuthenticationInfo {
    const issues: ValidationIssue[] = [];
    checkName(input.name, issues);
    if (!isConnectorId(input.connector))
      issues.push({ path: '/connector', message: 'must be one of "track", "app", "beta"' });
    const scope = input.scope ?? 'personal';
    if (!(SCOPES as readonly string[]).includes(scope))
      issues.push({ path: '/scope', message: 'must be one of "personal", "organisational"' });
    const region = input.region ?? 'us';
    if (!isRegion(region)) issues.push({ path: '/region', message: 'must be one of "us", "eu", "emulator"' });
    const baseUrl = checkBaseUrl(input.baseUrl, issues);
    if (isConnectorId(input.connector)) {
      checkCredentials(input.connector, input.credentials, issues);
      if (isRegion(region) && baseUrl !== undefined && input.allowCustomBaseUrl !== true)
        checkRedirect(input.connector, region, baseUrl, issues);
    }
    if (issues.length > 0) throw invalid('Invalid authentication', issues);
    const id = ulid();
    const now = new Date().toISOString();
    try {
      this.#db
        .prepare(
          `INSERT INTO authentications (id, name, connector, scope, owner_id, organisation_id, region, base_url, credentials, key_hint, created_at, updated_at)
           VALUES (@id, @name, @connector, @scope, @owner, @organisation, @region, @baseUrl, @credentials, @hint, @now, @now)`,
        )
        .run({
          id,
          name: input.name,
          connector: input.connector,
          scope,
          owner: this.userId,
          organisation: scope === 'organisational' ? this.organisationId : null,
          region,
          baseUrl: baseUrl ?? null,
          credentials: this.encrypt(id, input.credentials),
          hint: hintOf(input.credentials.apiKey ?? ''),
          now,
        });
    } catch (error) {
      throw uniqueNameError(error, input.name, scope);
    }
    return this.byId(id);
  }

  update(name: AuthenticationRef, changes: AuthenticationChanges): AuthenticationInfo {
    const row = this.row(name);
    this.assertMayChange(row);
    const issues: ValidationIssue[] = [];
    if (changes.name !== undefined) checkName(changes.name, issues);
    if (changes.region !== undefined && !isRegion(changes.region))
      issues.push({ path: '/region', message: 'must be one of "us", "eu", "emulator"' });
    const baseUrl = changes.baseUrl === null ? null : checkBaseUrl(changes.baseUrl, issues);
    let credentials: Credentials | undefined;
    if (changes.credentials !== undefined) {
      credentials = { ...this.decrypt(row), ...definedOnly(changes.credentials) };
      checkCredentials(row.connector, credentials, issues);
    }
    const region = changes.region ?? row.region;
    const target = baseUrl === undefined ? row.base_url : baseUrl;
    // Only a change of where the key goes needs permission: a new base URL, or a move into or out
    // of the emulator region with a base URL kept (an emulator authentication's base URL was never
    // checked; making it us/eu, or making a us/eu one "emulator", must not side-step the rule).
    const moved =
      (baseUrl !== undefined && baseUrl !== row.base_url) ||
      (row.region === 'emulator') !== (region === 'emulator');
    if (isRegion(region) && target !== null && moved && changes.allowCustomBaseUrl !== true) {
      const sensitive = region !== 'emulator' || row.region !== 'emulator';
      if (sensitive)
        checkRedirect(row.connector, region === 'emulator' ? row.region : region, target, issues);
    }
    if (issues.length > 0) throw invalid('Invalid change', issues);
    try {
      this.#db
        .prepare(
          `UPDATE authentications SET name = @name, region = @region, base_url = @baseUrl,
             credentials = @credentials, key_hint = @hint, updated_at = @now WHERE id = @id`,
        )
        .run({
          id: row.id,
          name: changes.name ?? row.name,
          region: changes.region ?? row.region,
          baseUrl: baseUrl === undefined ? row.base_url : baseUrl,
          credentials: credentials === undefined ? row.credentials : this.encrypt(row.id, credentials),
          hint: credentials === undefined ? row.key_hint : hintOf(credentials.apiKey ?? ''),
          now: new Date().toISOString(),
        });
    } catch (error) {
      throw uniqueNameError(error, changes.name ?? row.name, row.scope);
    }
    return this.byId(row.id);
  }

  delete(name: AuthenticationRef): AuthenticationInfo {
    const row = this.row(name);
    this.assertMayChange(row);
    this.#db.prepare('DELETE FROM authentications WHERE id = ?').run(row.id);
    return toInfo(row);
  }

  /**
   * Records the result of a test on the authentication, when this user may change it (its owner
   * or an admin); returns whether it was recorded. Anyone who can use it may run the test.
   */
  recordTest(name: AuthenticationRef, result: { ok: boolean; message: string }): boolean {
    const row = this.row(name);
    if (!this.mayChange(row)) return false;
    this.#db
      .prepare(
        'UPDATE authentications SET last_test_at = ?, last_test_ok = ?, last_test_message = ? WHERE id = ?',
      )
      .run(new Date().toISOString(), result.ok ? 1 : 0, result.message, row.id);
    return true;
  }

  /** Makes an authentication the current user's default for its connector. */
  setDefault(name: AuthenticationRef): AuthenticationInfo {
    const row = this.row(name);
    this.#db
      .prepare(
        'INSERT INTO defaults (user_id, connector, authentication_id) VALUES (?, ?, ?) ON CONFLICT (user_id, connector) DO UPDATE SET authentication_id = excluded.authentication_id',
      )
      .run(this.userId, row.connector, row.id);
    return this.byId(row.id);
  }

  defaultFor(connector: ConnectorId): ResolvedAuthentication | undefined {
    const [row] = this.visible(
      'a.id IN (SELECT authentication_id FROM defaults WHERE user_id = @user AND connector = @p0)',
      connector,
    );
    return row === undefined ? undefined : { ...toInfo(row), credentials: this.decrypt(row) };
  }

  private byId(id: string): AuthenticationInfo {
    const [row] = this.visible('a.id = @p0', id);
    if (row === undefined)
      throw new ConfigError(`Authentication ${id} is not visible to user "${this.user}".`);
    return toInfo(row);
  }

  private mayChange(row: Row): boolean {
    if (row.owner_id === this.userId) return true;
    const admin = this.#db
      .prepare("SELECT 1 FROM memberships WHERE user_id = ? AND organisation_id = ? AND role = 'admin'")
      .get(this.userId, row.organisation_id);
    return admin !== undefined;
  }

  private assertMayChange(row: Row): void {
    if (!this.mayChange(row)) {
      throw new ConfigError(
        `Only its owner (${row.owner}) or an organisation admin can change the authentication "${row.name}".`,
      );
    }
  }

  private encrypt(id: string, credentials: Credentials): string {
    return seal(this.#master, JSON.stringify(definedOnly(credentials)), `authentication:${id}`);
  }

  private decrypt(row: Row): Credentials {
    return JSON.parse(
      open(this.#master, row.credentials, `authentication:${row.id}`, `credentials of "${row.name}"`),
    ) as Credentials;
  }
}

/**
 * The user a name stands for: `CIOC_USER=a@example.com` and a console login `a@example.com` are
 * the same person, so a name that looks like an email matches the account with that email first
 * (emails are stored lower-cased), then a user of that name. A new one is created when none does.
 */
function userIdFor(db: Database.Database, user: string, now: string): number {
  const email = user.includes('@') ? user.trim().toLowerCase() : null;
  if (email !== null) {
    const byEmail = db.prepare('SELECT id FROM users WHERE email = ?').get(email) as
      { id: number } | undefined;
    if (byEmail !== undefined) return byEmail.id;
  }
  const byName = (): { id: number } | undefined =>
    db.prepare('SELECT id FROM users WHERE name = ?').get(user) as { id: number } | undefined;
  const known = byName();
  if (known !== undefined) return known.id;
  // OR IGNORE: another process may enrol the same person at the same moment.
  db.prepare('INSERT OR IGNORE INTO users (name, email, created_at) VALUES (?, ?, ?)').run(user, email, now);
  const created =
    byName() ??
    (email === null
      ? undefined
      : (db.prepare('SELECT id FROM users WHERE email = ?').get(email) as { id: number } | undefined));
  if (created === undefined) throw new ConfigError(`Cannot enrol the user "${user}" in the store.`);
  return created.id;
}

/**
 * Creates CIOC_HOME 0700, one missing level at a time: a recursive mkdir under a pseudo-filesystem
 * such as /proc never returns on Node 20, where this fails plainly instead.
 */
function createHome(home: string): void {
  try {
    const missing: string[] = [];
    for (let dir = home; !existsSync(dir) && dirname(dir) !== dir; dir = dirname(dir)) missing.unshift(dir);
    for (const dir of missing) {
      try {
        mkdirSync(dir, { mode: 0o700 });
      } catch (error) {
        // Another process opening the store at the same moment made it first.
        if ((error as { code?: string }).code !== 'EEXIST') throw error;
      }
    }
    chmodSync(home, 0o700);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown error';
    throw new ConfigError(`Cannot create the store directory ${home} (CIOC_HOME): ${code}.`);
  }
}

/**
 * An existing `CIOC_HOME` must be a directory, and nobody else's to read: whoever can read it can
 * read every credential (the master key file sits beside the database). Too open, it is tightened
 * to 0700 when it is ours, and reported otherwise.
 */
function prepareHome(home: string, warn: (message: string) => void): void {
  if (!existsSync(home)) {
    createHome(home);
    return;
  }
  let stats: Stats;
  try {
    stats = statSync(home);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown error';
    throw new ConfigError(`Cannot use the store directory ${home} (CIOC_HOME): ${code}.`);
  }
  if (!stats.isDirectory())
    throw new ConfigError(`The store directory ${home} (CIOC_HOME) is not a directory.`);
  // Windows has no such mode bits; its ACLs are not ours to judge.
  if (process.platform === 'win32' || (stats.mode & 0o077) === 0) return;
  if (stats.uid === process.getuid?.()) {
    try {
      chmodSync(home, 0o700);
      return;
    } catch {
      // Reported below.
    }
  }
  const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
  warn(
    `CIOC_HOME ${home} is readable or writable by other users (mode ${mode}) and cioc cannot tighten it: whoever can read it can read every credential in the store. Fix: chmod 700 ${home}`,
  );
}

function warnProcess(message: string): void {
  process.emitWarning(message, { code: 'CIOC_STORE_PERMISSIONS' });
}

/**
 * Brings the schema up to date and returns the sealed key check, creating it with the schema: a
 * store is never visible without one. Up to date (the usual case), it takes no lock.
 */
function initialise(db: Database.Database, master: MasterKey, file: string): string {
  if (schemaVersion(db) === MIGRATIONS.length) {
    const check = readKeyCheck(db);
    if (check !== undefined) return check;
  }
  const locked = db.transaction(() => {
    const fresh = schemaVersion(db) === 0;
    migrate(db);
    const check = readKeyCheck(db);
    if (check !== undefined) return check;
    // A key check missing from a store that was used was removed: adopting whichever master key
    // comes next would let a wrong key write beside the right one's data.
    if (!fresh && storeWasUsed(db)) {
      throw new ConfigError(
        `The store ${file} has been used but its key check is missing: it was altered, so cioc cannot tell whether the master key (${master.source}) is the right one.`,
        { hint: 'Restore cioc.db from a backup, or move it aside to start a new store.' },
      );
    }
    const sealed = seal(master, KEY_CHECK, 'meta:key_check');
    db.prepare("INSERT INTO meta (key, value) VALUES ('key_check', ?), ('created_at', ?)").run(
      sealed,
      new Date().toISOString(),
    );
    return sealed;
  });
  return locked.immediate();
}

function readKeyCheck(db: Database.Database): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'key_check'").get() as
    { value: string } | undefined;
  return row?.value;
}

function storeWasUsed(db: Database.Database): boolean {
  const row = db
    .prepare(
      'SELECT EXISTS (SELECT 1 FROM meta) OR EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM authentications) AS used',
    )
    .get() as { used: number };
  return row.used === 1;
}

function verifyMasterKey(db: Database.Database, master: MasterKey, sealed: string): void {
  if (open(master, sealed, 'meta:key_check', 'key check') !== KEY_CHECK) {
    throw new ConfigError(`The master key (${master.source}) does not match this store.`);
  }
}

/**
 * Runs `work` again while SQLite answers SQLITE_BUSY, for up to BUSY_TIMEOUT_MS. The connection's
 * busy timeout covers most waits, but SQLite answers some at once, without its busy handler, to
 * avoid a deadlock: a first open racing others on a fresh file (switching it to WAL, a read that
 * must become a write). The open sequence is safe to repeat (its transaction rolled back).
 */
function retryWhileBusy<T>(work: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return work();
    } catch (error) {
      if (
        !(error instanceof Database.SqliteError) ||
        !error.code.startsWith('SQLITE_BUSY') ||
        Date.now() >= deadline
      )
        throw error;
      // A synchronous pause (opening is synchronous): 5, 10, 20… ms up to 200, with jitter.
      const pause = Math.min(200, 5 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random());
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
    }
  }
}

/** SQLite's failures to open or use the file, as configuration errors that say what to do. */
function storeError(error: unknown, file: string): unknown {
  if (error instanceof CiocError || !(error instanceof Database.SqliteError)) return error;
  const code = error.code;
  if (/^SQLITE_(NOTADB|CORRUPT)/.test(code)) {
    return new ConfigError(`The store ${file} is damaged or is not a cioc store (${code}).`, {
      cause: error,
      hint: 'Restore it from a backup, or move it aside (with its -wal and -shm files) to start a new store.',
    });
  }
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    return new ConfigError(
      `The store ${file} stayed locked by another process for ${String(BUSY_TIMEOUT_MS / 1000)} s (${code}).`,
      { cause: error },
    );
  }
  if (/^SQLITE_(CANTOPEN|READONLY|PERM|AUTH|IOERR|FULL)/.test(code)) {
    return new ConfigError(`Cannot use the store ${file} (${code}): ${error.message}.`, {
      cause: error,
      hint: 'Check that CIOC_HOME is a writable directory of yours, with space left.',
    });
  }
  return error;
}

function toInfo(row: Row): AuthenticationInfo {
  return {
    id: row.id,
    name: row.name,
    connector: row.connector,
    scope: row.scope,
    owner: row.owner,
    region: row.region,
    baseUrl: row.base_url,
    key: row.key_hint,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastTest:
      row.last_test_at === null
        ? null
        : { at: row.last_test_at, ok: row.last_test_ok === 1, message: row.last_test_message ?? '' },
    isDefault: row.is_default === 1,
  };
}

function hintOf(apiKey: string): string {
  return apiKey.length <= 8 ? '…' : `…${apiKey.slice(-4)}`;
}

function definedOnly(credentials: Credentials): Credentials {
  const out: Credentials = {};
  if (credentials.siteId !== undefined && credentials.siteId !== '') out.siteId = credentials.siteId;
  if (credentials.apiKey !== undefined && credentials.apiKey !== '') out.apiKey = credentials.apiKey;
  return out;
}

function checkName(name: string, issues: ValidationIssue[]): void {
  // eslint-disable-next-line no-control-regex
  if (name.trim() === '' || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name) || name !== name.trim()) {
    issues.push({
      path: '/name',
      message: 'must be 1–100 visible characters, without leading or trailing spaces',
    });
  } else if (QUALIFIED.test(name)) {
    issues.push({
      path: '/name',
      message: `must not begin with "${name.slice(0, name.indexOf(':') + 1)}": that prefix picks a scope or an id when naming an authentication`,
    });
  }
}

function checkBaseUrl(value: string | undefined, issues: ValidationIssue[]): string | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    return checkedHttpUrl(value, 'base URL');
  } catch (error) {
    issues.push({ path: '/base_url', message: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
}

/**
 * A `us`/`eu` authentication sends its key where its base URL says: anywhere but Customer.io's own
 * base URL for the connector is a redirect of the key, allowed only when asked for.
 */
function checkRedirect(
  connector: ConnectorId,
  region: Region,
  baseUrl: string,
  issues: ValidationIssue[],
): void {
  if (region === 'emulator') return;
  const official = (['us', 'eu'] as const).map((r) => baseUrlFor(connector, r));
  if (official.includes(baseUrl)) return;
  issues.push({
    path: '/base_url',
    message: `would send the key to ${new URL(baseUrl).host} instead of Customer.io (region ${region}); a custom base URL on a us/eu authentication must be allowed explicitly`,
  });
}

/**
 * The same rule at run time: a base URL given for one command (`--base-url`, `CIOC_BASE_URL`) on
 * top of a stored `us`/`eu` authentication may not send its key anywhere but Customer.io's own base
 * URL unless `allowed` (`--allow-custom-base-url`). Throws a `ValidationError` with the way out.
 */
export function checkBaseUrlOverride(
  connector: ConnectorId,
  region: Region,
  baseUrl: string,
  allowed: boolean | undefined,
): void {
  if (allowed === true) return;
  const issues: ValidationIssue[] = [];
  checkRedirect(connector, region, checkedHttpUrl(baseUrl, 'base URL'), issues);
  if (issues.length > 0) throw invalid('Refused to send a stored key to a custom base URL', issues);
}

/** A `ValidationError`, with the way out when a redirect of the key was refused. */
function invalid(message: string, issues: ValidationIssue[]): ValidationError {
  const error = new ValidationError(message, issues);
  if (issues.some((i) => i.path === '/base_url' && i.message.startsWith('would send the key'))) {
    error.hint =
      'If you trust that host (a proxy of yours, say), allow it: --allow-custom-base-url on the command line, allowCustomBaseUrl: true in the library. For an emulator, use the emulator region.';
  }
  return error;
}

function checkCredentials(connector: ConnectorId, credentials: Credentials, issues: ValidationIssue[]): void {
  for (const field of CONNECTORS[connector].credentialFields) {
    const value = credentials[field.key];
    if (value === undefined || value.trim() === '') {
      issues.push({
        path: `/${field.flag.replace(/-/g, '_')}`,
        message: `is required for the ${connector} connector (${field.label})`,
      });
    } else if (value !== value.trim() || /\s/.test(value)) {
      issues.push({
        path: `/${field.flag.replace(/-/g, '_')}`,
        message: 'must not contain spaces or line breaks (was it pasted with a newline?)',
      });
    }
  }
}

function uniqueNameError(error: unknown, name: string, scope: string): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new ValidationError(
      `${scope === 'personal' ? 'A personal' : 'An organisational'} authentication named "${name}" already exists`,
      [{ path: '/name', message: 'is taken' }],
    );
  }
  return error;
}
