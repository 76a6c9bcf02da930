import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshHome } from '../../test/support/cli.js';
import { AccountsStore, checkPasswordHash, hashPassword } from './accounts-store.js';
import { AuthStore, openStoreConnection, type StoreConnection } from './auth-store.js';
import { SessionsStore } from './sessions-store.js';

const opened: StoreConnection[] = [];
function open(): { accounts: AccountsStore; connection: StoreConnection; home: string } {
  const home = freshHome();
  const connection = openStoreConnection({ home, env: {} });
  opened.push(connection);
  return { accounts: new AccountsStore(connection), connection, home };
}
afterEach(() => {
  for (const c of opened.splice(0)) c.db.close();
});

describe('passwords', () => {
  it('are salted scrypt hashes carrying their parameters, checked against the right password only', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await checkPasswordHash('correct horse', a)).toBe(true);
    expect(await checkPasswordHash('correct horsf', a)).toBe(false);
    expect(await checkPasswordHash('correct horse', 'bcrypt$whatever')).toBe(false);
  });
});

describe('AccountsStore', () => {
  it('creates users with lower-cased unique emails; the first is the admin', async () => {
    const { accounts } = open();
    const first = await accounts.createUser({ email: ' Ada@Example.COM ', password: 'password-1' });
    expect(first).toMatchObject({ email: 'ada@example.com', role: 'admin', hasPassword: true });
    const second = await accounts.createUser({ email: 'bob@example.com', password: 'password-2' });
    expect(second.role).toBe('member');
    await expect(accounts.createUser({ email: 'ADA@example.com', password: 'password-3' })).rejects.toThrow(
      /already exists/,
    );
    await expect(accounts.createUser({ email: 'not-an-email', password: 'password-3' })).rejects.toThrow(
      /email/,
    );
    await expect(accounts.createUser({ email: 'c@example.com', password: 'short' })).rejects.toThrow(
      /password/,
    );
    expect(await accounts.verifyPassword('ada@example.com', 'password-1')).toMatchObject({ id: first.id });
    expect(await accounts.verifyPassword('ada@example.com', 'password-2')).toBeUndefined();
    expect(await accounts.verifyPassword('nobody@example.com', 'password-1')).toBeUndefined();
  });

  it('is one user table with the CLI: CIOC_USER=<email> and the account share Personal authentications', async () => {
    const { accounts, connection, home } = open();
    // The CLI user exists first (CIOC_USER=a@example.com) and creates a Personal authentication.
    const cli = AuthStore.open({ home, user: 'A@example.com', env: {} });
    cli.create({
      name: 'mine',
      connector: 'app',
      region: 'emulator',
      credentials: { apiKey: 'key-0123456789' },
    });
    cli.close();
    const user = await accounts.createUser({ email: 'a@example.com', password: 'password-1', admin: true });
    const asServer = AuthStore.over(connection, user.name);
    expect(asServer.userId).toBe(user.id);
    expect(asServer.list().map((a) => a.name)).toEqual(['mine']);
  });

  it('issues tokens shown once and stored only as a hash; revoked tokens stop working', async () => {
    const { accounts, home } = open();
    const user = await accounts.createUser({ email: 'ada@example.com', password: 'password-1' });
    const created = await accounts.createToken(user.id, 'ci');
    expect(created.token).toMatch(/^cioc_[A-Za-z0-9_-]{43}$/);
    const db = readFileSync(join(home, 'cioc.db'));
    expect(db.includes(Buffer.from(created.token))).toBe(false);
    expect(await accounts.authenticateToken(created.token)).toMatchObject({ id: user.id });
    expect(await accounts.authenticateToken(`${created.token}x`)).toBeUndefined();
    expect(await accounts.authenticateToken('Bearer nonsense')).toBeUndefined();
    const [listed] = await accounts.listTokens(user.id);
    expect(listed).toMatchObject({ id: created.id, name: 'ci', revokedAt: null });
    expect(listed?.lastUsedAt).not.toBeNull();
    expect(listed).not.toHaveProperty('token');
    expect(await accounts.revokeToken(user.id + 1, created.id)).toBe(false);
    expect(await accounts.revokeToken(user.id, created.id)).toBe(true);
    expect(await accounts.authenticateToken(created.token)).toBeUndefined();
  });
});

describe('password changes and member removal', () => {
  it('end every session of the user, and removal deletes their tokens and clears their password', async () => {
    const { accounts, connection } = open();
    const ada = await accounts.createUser({ email: 'ada@example.com', password: 'password-1' });
    const bob = await accounts.createUser({ email: 'bob@example.com', password: 'password-2' });
    const sessions = new SessionsStore(connection);
    const adaSession = await sessions.create(ada.id);
    const bobSession = await sessions.create(bob.id);
    await accounts.changePassword(ada.id, 'password-3');
    expect(await sessions.lookup(adaSession.value)).toBeUndefined();
    expect(await sessions.lookup(bobSession.value)).toBeDefined();
    expect(await accounts.verifyPassword('ada@example.com', 'password-1')).toBeUndefined();
    expect((await accounts.verifyPassword('ada@example.com', 'password-3'))?.id).toBe(ada.id);

    const token = await accounts.createToken(bob.id, 'laptop');
    const organisation = ada.organisationId ?? 0;
    expect(await accounts.removeMember(organisation, bob.id)).toBe('ok');
    expect(await sessions.lookup(bobSession.value)).toBeUndefined();
    expect(await accounts.authenticateToken(token.token)).toBeUndefined();
    expect(await accounts.listTokens(bob.id)).toEqual([]);
    expect(await accounts.verifyPassword('bob@example.com', 'password-2')).toBeUndefined();
    expect(await accounts.removeMember(organisation, bob.id)).toBe('not_found');
    // The last admin who can sign in stays.
    expect(await accounts.removeMember(organisation, ada.id)).toBe('last_admin');
    expect(await accounts.setRole(organisation, ada.id, 'member')).toBe('last_admin');
  });
});
