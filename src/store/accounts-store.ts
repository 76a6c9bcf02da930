/**
 * Accounts: users with an email and a password, and their API tokens. One user table for the CLI
 * and the server: `CIOC_USER=a@example.com` and the login `a@example.com` are the same row, with the
 * same Personal authentications (the row is found by email first, see `AuthStore`).
 *
 * Passwords are hashed with scrypt (random salt, parameters stored with the hash, constant-time
 * comparison). API tokens are 256 random bits shown once; only their SHA-256 is stored (a token is
 * not a password: it cannot be guessed, so a slow hash would only slow every request down).
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ConfigError, ValidationError } from '../errors.js';
import { ulid } from '../ulid.js';
import { AuthStore, type StoreConnection } from './auth-store.js';
import { kyselyFor, type Tables } from './tables.js';

export interface UserInfo {
  id: number;
  /** The login identity: the email, or the CLI user name (`CIOC_USER`). */
  name: string;
  email: string | null;
  /** The name shown in the console, when one was given. */
  displayName: string | null;
  /** Role in the organisation (the first member is its admin). */
  role: 'admin' | 'member';
  organisationId: number | null;
  hasPassword: boolean;
  createdAt: string;
}

export interface TokenInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type Role = 'admin' | 'member';

/** Why a change to the members was refused (the routes answer 404 or 409). */
export type MemberChange = 'ok' | 'not_found' | 'last_admin';

export interface CreatedToken extends TokenInfo {
  /** The token itself: shown once, never stored. */
  token: string;
}

/** scrypt cost: N=2^15, r=8, p=1 (32 MiB, tens of ms): OWASP's minimum for scrypt. */
const SCRYPT = { N: 32768, r: 8, p: 1, keylen: 32 } as const;
const TOKEN_PREFIX = 'cioc_';
/** The `meta` row the console's first setup claims (its primary key makes the claim unique). */
const SETUP_CLAIM = 'console_setup';
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 1024;
/** last_used_at is written at most this often per token (not on every request). */
const LAST_USED_RESOLUTION_MS = 60_000;

export class AccountsStore {
  private readonly db: Kysely<Tables>;

  constructor(private readonly connection: StoreConnection) {
    this.db = kyselyFor(connection.db);
  }

  /**
   * Creates a user (or gives a password to the CLI user of that email, who has none yet). The
   * first member of the organisation is its admin; `admin` makes this one an admin too.
   */
  async createUser(input: {
    email: string;
    password: string;
    admin?: boolean;
    /** Sets the role whatever the order of joining (`admin` is `role: 'admin'`). */
    role?: Role | undefined;
    /** The name shown in the console. */
    name?: string | undefined;
  }): Promise<UserInfo> {
    const email = normaliseEmail(input.email);
    checkPassword(input.password);
    const displayName = input.name?.trim() === '' ? undefined : input.name?.trim();
    const role = input.role ?? (input.admin === true ? 'admin' : undefined);
    const existing = await this.findByEmail(email);
    if (existing?.hasPassword === true) {
      throw new ValidationError(`A user with the email ${email} already exists`, [
        { path: '/email', message: 'is taken' },
      ]);
    }
    const hash = await hashPassword(input.password);
    // Enrolling through the authentication store makes the row, its email and its membership the
    // same way the CLI does for CIOC_USER.
    const userId = AuthStore.over(this.connection, email).userId;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({
          email,
          password_hash: hash,
          ...(displayName === undefined ? {} : { display_name: displayName }),
        })
        .where('id', '=', userId)
        .execute();
      if (role !== undefined)
        await trx.updateTable('memberships').set({ role }).where('user_id', '=', userId).execute();
    });
    return this.requireUser(userId);
  }

  async getUser(id: number): Promise<UserInfo | undefined> {
    const row = await this.db
      .selectFrom('users')
      .leftJoin('memberships', 'memberships.user_id', 'users.id')
      .select([
        'users.id',
        'users.name',
        'users.email',
        'users.password_hash',
        'users.display_name',
        'users.created_at',
        'memberships.role',
        'memberships.organisation_id',
      ])
      .where('users.id', '=', id)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      id: row.id,
      name: row.name,
      email: row.email,
      displayName: row.display_name,
      role: row.role ?? 'member',
      organisationId: row.organisation_id ?? null,
      hasPassword: row.password_hash !== null,
      createdAt: row.created_at,
    };
  }

  async findByEmail(email: string): Promise<UserInfo | undefined> {
    const normal = email.trim().toLowerCase();
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where((eb) => eb.or([eb('email', '=', normal), eb('name', '=', normal)]))
      .orderBy('email', 'desc')
      .executeTakeFirst();
    return row === undefined ? undefined : this.getUser(row.id);
  }

  /** The user whose email and password these are, or undefined (same work either way). */
  async verifyPassword(email: string, password: string): Promise<UserInfo | undefined> {
    const user = await this.findByEmail(email);
    const row =
      user === undefined
        ? undefined
        : await this.db
            .selectFrom('users')
            .select('password_hash')
            .where('id', '=', user.id)
            .executeTakeFirst();
    // An unknown email costs one scrypt too, so timing does not tell which emails exist.
    const ok = await checkPasswordHash(password, row?.password_hash ?? DUMMY_HASH);
    return ok && row?.password_hash !== null && row?.password_hash !== undefined ? user : undefined;
  }

  async createToken(userId: number, name = 'API token'): Promise<CreatedToken> {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > 100)
      throw new ValidationError('Invalid token name', [
        { path: '/name', message: 'must be 1–100 characters' },
      ]);
    if ((await this.getUser(userId)) === undefined)
      throw new ConfigError(`There is no user ${String(userId)}`);
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = {
      id: ulid(),
      user_id: userId,
      name: trimmed,
      token_hash: tokenHash(token),
      created_at: new Date().toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.db.insertInto('api_tokens').values(row).execute();
    return { ...toToken(row), token };
  }

  /** The user a bearer token belongs to, or undefined (unknown, malformed or revoked). */
  async authenticateToken(token: string, now = new Date()): Promise<UserInfo | undefined> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'user_id', 'last_used_at', 'revoked_at'])
      .where('token_hash', '=', tokenHash(token))
      .executeTakeFirst();
    if (row === undefined || row.revoked_at !== null) return undefined;
    const last = row.last_used_at === null ? 0 : Date.parse(row.last_used_at);
    if (now.getTime() - last >= LAST_USED_RESOLUTION_MS) {
      await this.db
        .updateTable('api_tokens')
        .set({ last_used_at: now.toISOString() })
        .where('id', '=', row.id)
        .execute();
    }
    return this.getUser(row.user_id);
  }

  async listTokens(userId: number): Promise<TokenInfo[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toToken);
  }

  /** Revokes one of the user's tokens; false when they have none with that id. */
  async revokeToken(userId: number, id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Whether the console still needs its first account: no user has both an email and a password. */
  async setupRequired(): Promise<boolean> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where('email', 'is not', null)
      .where('password_hash', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    return row === undefined;
  }

  /**
   * The console's first account, made an admin: only while setup is required, and only once
   * however many ask at the same moment (a unique row in `meta` is claimed first; the losers get
   * undefined). Bad input is refused before anything is claimed.
   */
  async createFirstAdmin(input: {
    email: string;
    password: string;
    name?: string | undefined;
  }): Promise<UserInfo | undefined> {
    normaliseEmail(input.email);
    checkPassword(input.password);
    if (!(await this.setupRequired())) return undefined;
    const claim = await this.db
      .insertInto('meta')
      .values({ key: SETUP_CLAIM, value: new Date().toISOString() })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    if (Number(claim.numInsertedOrUpdatedRows ?? 0) !== 1) return undefined;
    try {
      return await this.createUser({ ...input, role: 'admin' });
    } catch (error) {
      // Nobody was made: let the next attempt claim setup again.
      await this.db.deleteFrom('meta').where('key', '=', SETUP_CLAIM).execute();
      throw error;
    }
  }

  /** The organisation's members who can sign in (an email and a password), oldest first. */
  async listMembers(organisationId: number): Promise<UserInfo[]> {
    const rows = await this.db
      .selectFrom('users')
      .innerJoin('memberships', 'memberships.user_id', 'users.id')
      .select('users.id')
      .where('memberships.organisation_id', '=', organisationId)
      .where('users.email', 'is not', null)
      .where('users.password_hash', 'is not', null)
      .orderBy('users.created_at')
      .orderBy('users.id')
      .execute();
    const users = await Promise.all(rows.map((r) => this.getUser(r.id)));
    return users.filter((u): u is UserInfo => u !== undefined);
  }

  /** Changes a member's role; the organisation's last admin who can sign in stays an admin. */
  async setRole(organisationId: number, userId: number, role: Role): Promise<MemberChange> {
    return this.db.transaction().execute(async (trx) => {
      const member = await this.memberRole(trx, organisationId, userId);
      if (member === undefined) return 'not_found';
      if (member === 'admin' && role === 'member' && (await this.adminCount(trx, organisationId)) <= 1)
        return 'last_admin';
      await trx
        .updateTable('memberships')
        .set({ role })
        .where('user_id', '=', userId)
        .where('organisation_id', '=', organisationId)
        .execute();
      return 'ok';
    });
  }

  /**
   * Removes a member: they can no longer sign in (password cleared, every session ended, every API
   * token deleted) and leave the organisation. The row stays (it owns workflows and runs); adding
   * the same email again gives them their Personal authentications back.
   */
  async removeMember(organisationId: number, userId: number): Promise<MemberChange> {
    return this.db.transaction().execute(async (trx) => {
      const member = await this.memberRole(trx, organisationId, userId);
      if (member === undefined) return 'not_found';
      if (member === 'admin' && (await this.adminCount(trx, organisationId)) <= 1) return 'last_admin';
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await trx.deleteFrom('api_tokens').where('user_id', '=', userId).execute();
      await trx
        .deleteFrom('memberships')
        .where('user_id', '=', userId)
        .where('organisation_id', '=', organisationId)
        .execute();
      await trx.updateTable('users').set({ password_hash: null }).where('id', '=', userId).execute();
      return 'ok';
    });
  }

  /** Sets a new password and ends every session of the user (other browsers must sign in again). */
  async changePassword(userId: number, password: string): Promise<void> {
    checkPassword(password);
    const hash = await hashPassword(password);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    });
  }

  /** The member's role in the organisation, if they are a member who can sign in. */
  private async memberRole(
    trx: Kysely<Tables>,
    organisationId: number,
    userId: number,
  ): Promise<Role | undefined> {
    const row = await trx
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('memberships.role')
      .where('memberships.user_id', '=', userId)
      .where('memberships.organisation_id', '=', organisationId)
      .where('users.password_hash', 'is not', null)
      .executeTakeFirst();
    return row?.role;
  }

  /** Admins who can sign in (a CLI-only admin cannot administer the console). */
  private async adminCount(trx: Kysely<Tables>, organisationId: number): Promise<number> {
    const row = await trx
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('memberships.organisation_id', '=', organisationId)
      .where('memberships.role', '=', 'admin')
      .where('users.password_hash', 'is not', null)
      .executeTakeFirstOrThrow();
    return row.n;
  }

  private async requireUser(id: number): Promise<UserInfo> {
    const user = await this.getUser(id);
    if (user === undefined) throw new ConfigError(`There is no user ${String(id)}`);
    return user;
  }
}

function toToken(row: {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}): TokenInfo {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function normaliseEmail(email: string): string {
  const normal = email.trim().toLowerCase();
  // Deliberately loose (one @, something on each side, a dot in the domain, no spaces): the
  // address is an identifier here, not a mailbox we write to.
  if (normal.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normal)) {
    throw new ValidationError('Invalid email', [{ path: '/email', message: 'must be an email address' }]);
  }
  return normal;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
    throw new ValidationError('Invalid password', [
      { path: '/password', message: `must be ${String(MIN_PASSWORD)}–${String(MAX_PASSWORD)} characters` },
    ]);
  }
}

function scryptAsync(
  password: string,
  salt: Buffer,
  keylen: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

/** `scrypt$N$r$p$<salt base64>$<hash base64>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keylen, {
    N: SCRYPT.N,
    r: SCRYPT.r,
    p: SCRYPT.p,
    maxmem: 128 * SCRYPT.N * SCRYPT.r * 2,
  });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Checks a password against a stored hash with the hash's own parameters, in constant time. */
export async function checkPasswordHash(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (![N, R, P].every((x) => Number.isInteger(x) && x > 0) || N > 2 ** 20) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N,
    r: R,
    p: P,
    maxmem: 128 * N * R * 2,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

const DUMMY_HASH = `scrypt$${String(SCRYPT.N)}$${String(SCRYPT.r)}$${String(SCRYPT.p)}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
