import { afterEach, describe, expect, it } from 'vitest';
import { freshHome } from '../../test/support/cli.js';
import { AccountsStore } from './accounts-store.js';
import { openStoreConnection, type StoreConnection } from './auth-store.js';
import {
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  SESSION_TOUCH_MS,
  SessionsStore,
  sessionId,
} from './sessions-store.js';

const opened: StoreConnection[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.db.close();
});

async function open(): Promise<{
  sessions: SessionsStore;
  connection: StoreConnection;
  clock: { now: number };
  ada: number;
  bob: number;
}> {
  const connection = openStoreConnection({ home: freshHome(), env: {} });
  opened.push(connection);
  const clock = { now: Date.parse('2025-01-01T00:00:00Z') };
  const accounts = new AccountsStore(connection);
  const ada = (await accounts.createUser({ email: 'ada@example.com', password: 'a long password' })).id;
  const bob = (await accounts.createUser({ email: 'bob@example.com', password: 'a long password' })).id;
  return { sessions: new SessionsStore(connection, () => clock.now), connection, clock, ada, bob };
}

const row = (connection: StoreConnection, id: string): unknown =>
  connection.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id);

describe('SessionsStore', () => {
  it('stores only the sha256 of a 256-bit random cookie value and finds the session by the value', async () => {
    const { sessions, connection, ada } = await open();
    const created = await sessions.create(ada);
    expect(created.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.value, 'base64url')).toHaveLength(32);
    expect(created.id).toBe(sessionId(created.value));
    const dump = JSON.stringify(connection.db.prepare('SELECT * FROM sessions').all());
    expect(dump).not.toContain(created.value);
    expect(await sessions.lookup(created.value)).toMatchObject({ id: created.id, userId: ada });
    expect(await sessions.lookup(created.id)).toBeUndefined();
    // One character changed (to another one: a value may end in "A" already).
    const changed = `${created.value.slice(0, -1)}${created.value.endsWith('A') ? 'B' : 'A'}`;
    expect(await sessions.lookup(changed)).toBeUndefined();
    expect((await sessions.create(ada)).value).not.toBe(created.value);
  });

  it('writes last_seen_at at most once a minute', async () => {
    const { sessions, connection, clock, ada } = await open();
    const created = await sessions.create(ada);
    const first = (row(connection, created.id) as { last_seen_at: string }).last_seen_at;
    clock.now += SESSION_TOUCH_MS - 1;
    await sessions.lookup(created.value);
    expect(row(connection, created.id)).toMatchObject({ last_seen_at: first });
    clock.now += 1;
    await sessions.lookup(created.value);
    expect(row(connection, created.id)).toMatchObject({ last_seen_at: new Date(clock.now).toISOString() });
  });

  it('ends a session idle for 12 hours, and one 7 days old however busy, deleting its row', async () => {
    const { sessions, connection, clock, ada } = await open();
    const idle = await sessions.create(ada);
    clock.now += SESSION_IDLE_MS - SESSION_TOUCH_MS;
    expect(await sessions.lookup(idle.value)).toBeDefined();
    clock.now += SESSION_IDLE_MS - 1;
    expect(await sessions.lookup(idle.value)).toBeDefined();
    clock.now += SESSION_IDLE_MS;
    expect(await sessions.lookup(idle.value)).toBeUndefined();
    expect(row(connection, idle.id)).toBeUndefined();

    const busy = await sessions.create(ada);
    const end = clock.now + SESSION_ABSOLUTE_MS;
    while (clock.now + SESSION_IDLE_MS / 2 < end) {
      clock.now += SESSION_IDLE_MS / 2;
      expect(await sessions.lookup(busy.value)).toBeDefined();
    }
    clock.now = end;
    expect(await sessions.lookup(busy.value)).toBeUndefined();
  });

  it("deletes one session, all of a user's, and prunes the ended ones", async () => {
    const { sessions, connection, clock, ada, bob } = await open();
    const a1 = await sessions.create(ada);
    const a2 = await sessions.create(ada);
    const b1 = await sessions.create(bob);
    await sessions.delete(a1.id);
    expect(await sessions.lookup(a1.value)).toBeUndefined();
    expect(await sessions.lookup(a2.value)).toBeDefined();
    expect(await sessions.deleteForUser(ada)).toBe(1);
    expect(await sessions.lookup(a2.value)).toBeUndefined();
    expect(await sessions.lookup(b1.value)).toBeDefined();

    clock.now += SESSION_IDLE_MS;
    const fresh = await sessions.create(bob);
    expect(await sessions.prune()).toBe(1);
    expect(row(connection, b1.id)).toBeUndefined();
    expect(row(connection, fresh.id)).toBeDefined();
  });

  it('derives a CSRF token per session from the master key, checked in constant time', async () => {
    const { sessions, connection, ada } = await open();
    const s1 = await sessions.create(ada);
    const s2 = await sessions.create(ada);
    const token = sessions.csrfToken(s1.id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.csrfToken(s1.id)).toBe(token);
    expect(sessions.csrfToken(s2.id)).not.toBe(token);
    expect(sessions.isCsrfToken(s1.id, token)).toBe(true);
    expect(sessions.isCsrfToken(s2.id, token)).toBe(false);
    expect(sessions.isCsrfToken(s1.id, token.slice(1))).toBe(false);
    expect(sessions.isCsrfToken(s1.id, '')).toBe(false);
    // Another store (another master key) derives other tokens for the same id.
    const other = openStoreConnection({ home: freshHome(), env: {} });
    opened.push(other);
    expect(new SessionsStore(other).csrfToken(s1.id)).not.toBe(token);
    expect(connection.master.key.toString('base64url')).not.toBe(token);
  });
});
