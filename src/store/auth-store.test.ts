import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, ValidationError } from '../errors.js';
import { AuthStore } from './auth-store.js';

const TRACK_KEY = 'trk_live_9f8e7d6c5b4a3210';
const APP_KEY = 'app_live_0123456789abcdef';

function home(): string {
  return join(mkdtempSync(join(tmpdir(), 'cioc-store-')), 'home');
}
const as = (dir: string, user: string, env: NodeJS.ProcessEnv = {}) =>
  AuthStore.open({ home: dir, user, env });

describe('AuthStore', () => {
  it('creates its home 0700 and a master key file 0600 on first use', () => {
    const dir = home();
    as(dir, 'alice').close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
  });

  it('stores, lists and resolves authentications without any secret in the database files', () => {
    const dir = home();
    const store = as(dir, 'alice');
    const created = store.create({
      name: 'prod-track',
      connector: 'track',
      region: 'eu',
      credentials: { siteId: 'site-123', apiKey: TRACK_KEY },
    });
    expect(created).toMatchObject({
      name: 'prod-track',
      connector: 'track',
      scope: 'personal',
      owner: 'alice',
      region: 'eu',
      key: '…3210',
    });
    store.create({
      name: 'prod-app',
      connector: 'app',
      scope: 'organisational',
      credentials: { apiKey: APP_KEY },
    });
    expect(store.list().map((a) => a.name)).toEqual(['prod-app', 'prod-track']);
    expect(store.resolve('prod-track').credentials).toEqual({ siteId: 'site-123', apiKey: TRACK_KEY });
    expect(JSON.stringify(store.list())).not.toContain(TRACK_KEY);
    store.update('prod-track', { credentials: { apiKey: `${TRACK_KEY}-rotated` } });
    expect(store.resolve('prod-track').credentials.apiKey).toBe(`${TRACK_KEY}-rotated`);
    for (const file of readdirSync(dir).filter((f) => f.startsWith('cioc.db'))) {
      const bytes = readFileSync(join(dir, file));
      for (const secret of [TRACK_KEY, APP_KEY, Buffer.from(TRACK_KEY).toString('base64')]) {
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
      }
    }
    store.close();
  });

  it('fails cleanly with a wrong master key, and accepts CIOC_MASTER_KEY', () => {
    const dir = home();
    const key = randomBytes(32).toString('base64');
    const store = as(dir, 'alice', { CIOC_MASTER_KEY: key });
    store.create({ name: 'a', connector: 'app', credentials: { apiKey: APP_KEY } });
    store.close();
    expect(() => as(dir, 'alice', { CIOC_MASTER_KEY: randomBytes(32).toString('base64') })).toThrow(
      ConfigError,
    );
    expect(() => as(dir, 'alice', { CIOC_MASTER_KEY: randomBytes(32).toString('base64') })).toThrow(
      /master key \(CIOC_MASTER_KEY\)/,
    );
    expect(() => as(dir, 'alice', { CIOC_MASTER_KEY: 'short' })).toThrow(/32 bytes/);
    expect(as(dir, 'alice', { CIOC_MASTER_KEY: key }).resolve('a').credentials.apiKey).toBe(APP_KEY);
  });

  it('keeps Personal authentications to their owner and shares Organisational ones', () => {
    const dir = home();
    const alice = as(dir, 'alice');
    alice.create({ name: 'mine', connector: 'app', credentials: { apiKey: APP_KEY } });
    alice.create({
      name: 'shared',
      connector: 'app',
      scope: 'organisational',
      credentials: { apiKey: APP_KEY },
    });
    const bob = as(dir, 'bob');
    expect(bob.list().map((a) => a.name)).toEqual(['shared']);
    expect(() => bob.resolve('mine')).toThrow(/No authentication named "mine" is visible to user "bob"/);
    expect(() => bob.update('mine', { region: 'eu' })).toThrow(ConfigError);
    expect(() => bob.delete('mine')).toThrow(ConfigError);
    expect(bob.resolve('shared').credentials.apiKey).toBe(APP_KEY);
    expect(() => bob.delete('shared')).toThrow(/Only its owner \(alice\) or an organisation admin/);
    // Bob may have his own "mine"; each user sees their own first.
    bob.create({ name: 'mine', connector: 'app', credentials: { apiKey: 'app_bob_key_0000' } });
    expect(bob.resolve('mine').owner).toBe('bob');
    expect(alice.resolve('mine').owner).toBe('alice');
    // Alice (the first member, an admin) may change Bob's organisational authentication.
    bob.create({
      name: 'bobs-shared',
      connector: 'track',
      scope: 'organisational',
      credentials: { siteId: 's', apiKey: TRACK_KEY },
    });
    expect(alice.update('bobs-shared', { region: 'eu' }).region).toBe('eu');
    alice.close();
    bob.close();
  });

  it('validates input and names, with every problem listed', () => {
    const store = as(home(), 'alice');
    const error = (() => {
      try {
        store.create({
          name: ' x',
          connector: 'sms',
          scope: 'team',
          region: 'asia',
          baseUrl: 'ftp://x',
          credentials: {},
        });
      } catch (e) {
        return e as ValidationError;
      }
      return undefined;
    })();
    expect(error?.issues.map((i) => i.path)).toEqual([
      '/name',
      '/connector',
      '/scope',
      '/region',
      '/base_url',
    ]);
    expect(() => store.create({ name: 't', connector: 'track', credentials: { apiKey: TRACK_KEY } })).toThrow(
      /site_id is required/,
    );
    expect(() =>
      store.create({ name: 't', connector: 'app', credentials: { apiKey: `${APP_KEY}\n` } }),
    ).toThrow(/line breaks/);
    store.create({ name: 't', connector: 'app', credentials: { apiKey: APP_KEY } });
    expect(() => store.create({ name: 't', connector: 'app', credentials: { apiKey: APP_KEY } })).toThrow(
      /A personal authentication named "t" already exists/,
    );
    store.close();
  });

  it('keeps one default per user and connector', () => {
    const dir = home();
    const store = as(dir, 'alice');
    store.create({ name: 'a1', connector: 'app', credentials: { apiKey: APP_KEY } });
    store.create({ name: 'a2', connector: 'app', credentials: { apiKey: 'app_second_key_99' } });
    expect(store.defaultFor('app')).toBeUndefined();
    store.setDefault('a1');
    store.setDefault('a2');
    expect(store.defaultFor('app')?.name).toBe('a2');
    expect(
      store
        .list()
        .filter((a) => a.isDefault)
        .map((a) => a.name),
    ).toEqual(['a2']);
    store.delete('a2');
    expect(store.defaultFor('app')).toBeUndefined();
    store.close();
  });
});

describe('CIOC_HOME', () => {
  it('creates missing parents, and fails plainly (never hangs) where it cannot', () => {
    const nested = join(home(), 'a', 'b');
    as(nested, 'alice').close();
    expect(statSync(nested).mode & 0o777).toBe(0o700);
    expect(() => as('/proc/cioc-test/home', 'alice')).toThrow(
      /Cannot create the store directory \/proc\/cioc-test\/home \(CIOC_HOME\)/,
    );
  });
});
