/**
 * The web console's login sessions. The cookie carries 256 random bits; only their SHA-256 is
 * stored (the row's id), so a copy of the database signs nobody in. A session ends when it has
 * been idle for `SESSION_IDLE_MS`, `SESSION_ABSOLUTE_MS` after it began whatever its use, when the
 * user signs out, or when the user's password changes or they leave the organisation.
 *
 * The CSRF token is derived, not stored: HMAC-SHA256 of the session id under a key derived from
 * the store's master key. It is as long-lived as the session and useless without the cookie.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { StoreConnection } from './auth-store.js';
import type { MasterKey } from './secret-box.js';
import { kyselyFor, type Tables } from './tables.js';

/** A session unused for 12 hours has ended (a working day, with its breaks). */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** A session ends 7 days after sign-in however busy it is (a week, then a password again). */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often per session (not on every request). */
export const SESSION_TOUCH_MS = 60_000;

export interface Session {
  /** sha256 (hex) of the cookie's value. */
  id: string;
  userId: number;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export interface CreatedSession extends Session {
  /** The cookie's value: given to the browser once, never stored. */
  value: string;
}

/** Cookie values are 43 base64url characters; anything else is not ours and is not looked up. */
const VALUE = /^[A-Za-z0-9_-]{43}$/;

export class SessionsStore {
  private readonly db: Kysely<Tables>;
  private readonly csrfKey: Buffer;

  constructor(
    connection: StoreConnection,
    /** Time, for expiry (tests move it forward). */
    private readonly now: () => number = Date.now,
  ) {
    this.db = kyselyFor(connection.db);
    this.csrfKey = deriveCsrfKey(connection.master);
  }

  async create(userId: number): Promise<CreatedSession> {
    const value = randomBytes(32).toString('base64url');
    const now = this.now();
    const row = {
      id: sessionId(value),
      user_id: userId,
      created_at: new Date(now).toISOString(),
      last_seen_at: new Date(now).toISOString(),
      expires_at: new Date(now + SESSION_ABSOLUTE_MS).toISOString(),
    };
    await this.db.insertInto('sessions').values(row).execute();
    return { ...toSession(row), value };
  }

  /**
   * The live session this cookie value opens, or undefined (unknown, malformed, idle too long or
   * past its absolute expiry; an ended one is deleted). Marks it used, at most once a minute.
   */
  async lookup(value: string): Promise<Session | undefined> {
    if (!VALUE.test(value)) return undefined;
    const id = sessionId(value);
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) return undefined;
    const now = this.now();
    const lastSeen = Date.parse(row.last_seen_at);
    if (now >= Date.parse(row.expires_at) || now - lastSeen >= SESSION_IDLE_MS) {
      await this.db.deleteFrom('sessions').where('id', '=', id).execute();
      return undefined;
    }
    if (now - lastSeen >= SESSION_TOUCH_MS) {
      row.last_seen_at = new Date(now).toISOString();
      await this.db
        .updateTable('sessions')
        .set({ last_seen_at: row.last_seen_at })
        .where('id', '=', id)
        .execute();
    }
    return toSession(row);
  }

  /** Ends one session (sign-out). */
  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user (password changed, removed from the organisation). */
  async deleteForUser(userId: number): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes the sessions that have ended; returns how many. */
  async prune(): Promise<number> {
    const now = this.now();
    const result = await this.db
      .deleteFrom('sessions')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<=', new Date(now).toISOString()),
          eb('last_seen_at', '<=', new Date(now - SESSION_IDLE_MS).toISOString()),
        ]),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** The CSRF token of a session (the same on every call: nothing to store). */
  csrfToken(id: string): string {
    return createHmac('sha256', this.csrfKey).update(id).digest('base64url');
  }

  /** Whether `token` is this session's CSRF token (constant time). */
  isCsrfToken(id: string, token: string): boolean {
    const expected = Buffer.from(this.csrfToken(id));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

export function sessionId(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A key for CSRF tokens only, derived from the master key (never the master key itself). */
function deriveCsrfKey(master: MasterKey): Buffer {
  return createHmac('sha256', master.key).update('cioc-console-csrf-key').digest();
}

function toSession(row: {
  id: string;
  user_id: number;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
  };
}
