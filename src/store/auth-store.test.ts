import Database from 'better-sqlite3';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, ValidationError } from '../errors.js';
import { AuthStore, referenceFor } from './auth-store.js';
import { MIGRATIONS } from './migrations.js';

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
      name: 'team-app',
      connector: 'app',
      scope: 'organisational',
      credentials: { apiKey: APP_KEY },
    });
    const bob = as(dir, 'bob');
    expect(bob.list().map((a) => a.name)).toEqual(['team-app']);
    expect(() => bob.resolve('mine')).toThrow(/No authentication named "mine" is visible to user "bob"/);
    expect(() => bob.update('mine', { region: 'eu' })).toThrow(ConfigError);
    expect(() => bob.delete('mine')).toThrow(ConfigError);
    expect(bob.resolve('team-app').credentials.apiKey).toBe(APP_KEY);
    expect(() => bob.delete('team-app')).toThrow(/Only its owner \(alice\) or an organisation admin/);
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

  it('reaches a Personal and an Organisational authentication of one name with a qualifier', () => {
    const dir = home();
    const alice = as(dir, 'alice');
    const personal = alice.create({
      name: 'prod',
      connector: 'track',
      credentials: { siteId: 's', apiKey: TRACK_KEY },
    });
    const shared = alice.create({
      name: 'prod',
      connector: 'app',
      scope: 'organisational',
      credentials: { apiKey: APP_KEY },
    });
    // A bare name is the Personal one first (stable when someone adds an Organisational one).
    expect(alice.resolve('prod').id).toBe(personal.id);
    expect(alice.resolve('personal:prod').id).toBe(personal.id);
    expect(alice.resolve('organisational:prod').credentials.apiKey).toBe(APP_KEY);
    expect(alice.get('organizational:prod').id).toBe(shared.id);
    expect(alice.get(`id:${shared.id}`).id).toBe(shared.id);
    expect(alice.list().map((a) => referenceFor(a, alice.list()))).toEqual([
      'organisational:prod',
      'personal:prod',
    ]);
    // What is missing is told with the references that work.
    expect(() => alice.get('staging')).toThrow('Known: organisational:prod, personal:prod.');
    // Bob has no Personal "prod": the bare name is the Organisational one; his own qualified is not found.
    const bob = as(dir, 'bob');
    expect(bob.get('prod').id).toBe(shared.id);
    expect(() => bob.get('personal:prod')).toThrow(/No authentication named "personal:prod".*Known: prod\./);
    // Every command that names one takes the qualifier (update, default, delete…).
    expect(alice.update('organisational:prod', { region: 'eu' }).region).toBe('eu');
    expect(alice.get('personal:prod').region).toBe('us');
    expect(alice.delete('organisational:prod').id).toBe(shared.id);
    expect(alice.get('prod').id).toBe(personal.id);
    // A new name cannot look qualified, so that no reference is ever two things.
    expect(() =>
      alice.create({ name: 'personal:x', connector: 'app', credentials: { apiKey: APP_KEY } }),
    ).toThrow(/must not begin with "personal:"/);
    expect(() => alice.update('prod', { name: 'id:7' })).toThrow(/must not begin with "id:"/);
    bob.close();
    alice.close();
  });

  it('names every candidate when Organisational authentications of several organisations share a name', () => {
    const dir = home();
    const alice = as(dir, 'alice');
    alice.create({
      name: 'team',
      connector: 'app',
      scope: 'organisational',
      credentials: { apiKey: APP_KEY },
    });
    // A second organisation Alice belongs to (as on a server), with its own "team".
    const db = alice.database;
    const org = db.prepare("INSERT INTO organisations (name, created_at) VALUES ('other', 'now')").run();
    db.prepare("INSERT INTO memberships (user_id, organisation_id, role) VALUES (?, ?, 'member')").run(
      alice.userId,
      org.lastInsertRowid,
    );
    db.prepare(
      `INSERT INTO authentications (id, name, connector, scope, owner_id, organisation_id, region, base_url, credentials, key_hint, created_at, updated_at)
       VALUES ('01OTHER', 'team', 'app', 'organisational', ?, ?, 'us', NULL, 'sealed', '…', 'now', 'now')`,
    ).run(alice.userId, org.lastInsertRowid);
    for (const ref of ['team', 'organisational:team']) {
      let error: unknown;
      try {
        alice.get(ref);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(
        new RegExp(
          `^"${ref}" names 2 authentications: id:\\w+ \\(organisational, app, owner alice\\); id:\\w+`,
        ),
      );
      expect((error as ConfigError).hint).toBe('Pick one by its id: id:<id>.');
    }
    expect(alice.get('id:01OTHER').id).toBe('01OTHER');
    alice.close();
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

describe('base URLs on Customer.io regions', () => {
  const PROXY = 'https://proxy.example.test/track';

  it('refuses a base URL that redirects a us/eu key unless allowCustomBaseUrl is given', () => {
    const store = as(home(), 'alice');
    const track = { siteId: 's', apiKey: TRACK_KEY };
    const refused = (() => {
      try {
        store.create({ name: 'p', connector: 'track', region: 'us', baseUrl: PROXY, credentials: track });
      } catch (e) {
        return e as ValidationError;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(ValidationError);
    expect(refused?.issues).toEqual([
      { path: '/base_url', message: expect.stringContaining('would send the key to proxy.example.test') },
    ]);
    expect(refused?.hint).toContain('allowCustomBaseUrl');
    expect(store.list()).toEqual([]);
    expect(() =>
      store.create({
        name: 'p',
        connector: 'app',
        region: 'eu',
        baseUrl: PROXY,
        credentials: { apiKey: APP_KEY },
      }),
    ).toThrow(/\/base_url .*proxy\.example\.test/);

    expect(
      store.create({
        name: 'p',
        connector: 'track',
        region: 'us',
        baseUrl: PROXY,
        credentials: track,
        allowCustomBaseUrl: true,
      }).baseUrl,
    ).toBe(PROXY);
    // The region's own Customer.io base URL, and any base URL of the emulator region, need no flag.
    expect(
      store.create({
        name: 'official',
        connector: 'app',
        region: 'eu',
        baseUrl: 'https://api-eu.customer.io/v1/',
        credentials: { apiKey: APP_KEY },
      }).baseUrl,
    ).toBe('https://api-eu.customer.io/v1');
    expect(
      store.create({
        name: 'emu',
        connector: 'app',
        region: 'emulator',
        baseUrl: 'http://127.0.0.1:4999/v1',
        credentials: { apiKey: APP_KEY },
      }).baseUrl,
    ).toBe('http://127.0.0.1:4999/v1');
    store.close();
  });

  it('refuses an update that redirects a key, including by way of the emulator region', () => {
    const dir = home();
    const alice = as(dir, 'alice');
    alice.create({
      name: 'team-app',
      connector: 'app',
      scope: 'organisational',
      region: 'us',
      credentials: { apiKey: APP_KEY },
    });
    alice.create({
      name: 'emu',
      connector: 'app',
      region: 'emulator',
      baseUrl: 'http://127.0.0.1:4999/v1',
      credentials: { apiKey: APP_KEY },
    });
    alice.create({
      name: 'proxied',
      connector: 'app',
      region: 'us',
      baseUrl: PROXY,
      credentials: { apiKey: APP_KEY },
      allowCustomBaseUrl: true,
    });
    const redirect = /\/base_url .*would send the key to evil\.example\.test/;
    expect(() => alice.update('team-app', { baseUrl: 'http://evil.example.test' })).toThrow(redirect);
    expect(() =>
      alice.update('team-app', { region: 'emulator', baseUrl: 'http://evil.example.test' }),
    ).toThrow(redirect);
    expect(() => alice.update('emu', { region: 'us' })).toThrow(/would send the key to 127\.0\.0\.1/);
    expect(alice.get('team-app')).toMatchObject({ region: 'us', baseUrl: null });
    expect(alice.get('emu')).toMatchObject({ region: 'emulator' });

    // Allowed explicitly; and changes that do not move the key to a new host need no flag.
    expect(
      alice.update('team-app', { baseUrl: 'http://evil.example.test', allowCustomBaseUrl: true }).baseUrl,
    ).toBe('http://evil.example.test');
    expect(alice.update('proxied', { region: 'eu' }).region).toBe('eu');
    expect(alice.update('proxied', { credentials: { apiKey: `${APP_KEY}-2` } }).key).toBe('…ef-2');
    expect(alice.update('emu', { baseUrl: 'http://127.0.0.1:5000/v1' }).baseUrl).toBe(
      'http://127.0.0.1:5000/v1',
    );
    expect(alice.update('team-app', { baseUrl: null }).baseUrl).toBeNull();
    alice.close();
  });
});

describe('opening a store', () => {
  const sqlite = (dir: string) => new Database(join(dir, 'cioc.db'));

  it('refuses a store made by a newer cioc, as a configuration error', () => {
    const dir = home();
    as(dir, 'alice').close();
    const db = sqlite(dir);
    db.pragma(`user_version = ${String(MIGRATIONS.length + 1)}`);
    db.close();
    expect(() => as(dir, 'alice')).toThrow(ConfigError);
    const known = MIGRATIONS.length;
    expect(() => as(dir, 'alice')).toThrow(
      `newer version of cioc (schema ${String(known + 1)}; this cioc knows ${String(known)})`,
    );
  });

  it('refuses a damaged database file, as a configuration error', () => {
    const dir = home();
    as(dir, 'alice').close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `cioc.db${suffix}`), { force: true });
    writeFileSync(join(dir, 'cioc.db'), randomBytes(8192));
    expect(() => as(dir, 'alice')).toThrow(ConfigError);
    expect(() => as(dir, 'alice')).toThrow(/is damaged or is not a cioc store/);
  });

  it('refuses an initialised store whose key check was removed, whatever the master key', () => {
    const dir = home();
    const key = randomBytes(32).toString('base64');
    const store = as(dir, 'alice', { CIOC_MASTER_KEY: key });
    store.create({ name: 'a', connector: 'app', credentials: { apiKey: APP_KEY } });
    store.close();
    const db = sqlite(dir);
    db.prepare("DELETE FROM meta WHERE key = 'key_check'").run();
    db.close();
    for (const master of [randomBytes(32).toString('base64'), key]) {
      expect(() => as(dir, 'alice', { CIOC_MASTER_KEY: master })).toThrow(ConfigError);
      expect(() => as(dir, 'alice', { CIOC_MASTER_KEY: master })).toThrow(/key check is missing/);
    }
    // Not silently re-created under whichever key came first.
    const after = sqlite(dir);
    expect(after.prepare("SELECT count(*) AS n FROM meta WHERE key = 'key_check'").get()).toEqual({ n: 0 });
    after.close();
  });

  it('tightens a group- or world-accessible CIOC_HOME that it owns to 0700', () => {
    const dir = home();
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    const warnings: string[] = [];
    AuthStore.open({ home: dir, user: 'alice', env: {}, onWarning: (w) => warnings.push(w) }).close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(warnings).toEqual([]);
  });

  it.skipIf(process.getuid?.() !== 0)('warns about an accessible CIOC_HOME that is not its own', () => {
    const dir = home();
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    chownSync(dir, 65534, 65534);
    const warnings: string[] = [];
    AuthStore.open({ home: dir, user: 'alice', env: {}, onWarning: (w) => warnings.push(w) }).close();
    expect(statSync(dir).mode & 0o777).toBe(0o777);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/CIOC_HOME .* is readable or writable by other users \(mode 0777\)/);
    expect(warnings[0]).toContain(`chmod 700 ${dir}`);
  });
});

describe('test results', () => {
  it('are recorded only by the owner or an admin; others still run the test', () => {
    const dir = home();
    const alice = as(dir, 'alice');
    const bob = as(dir, 'bob');
    alice.create({
      name: 'team-app',
      connector: 'app',
      scope: 'organisational',
      credentials: { apiKey: APP_KEY },
    });
    bob.create({ name: 'bobs', connector: 'app', scope: 'organisational', credentials: { apiKey: APP_KEY } });
    const carol = as(dir, 'carol');

    expect(carol.recordTest('team-app', { ok: false, message: 'carol says no' })).toBe(false);
    expect(bob.recordTest('team-app', { ok: false, message: 'bob says no' })).toBe(false);
    expect(alice.get('team-app').lastTest).toBeNull();
    expect(alice.recordTest('team-app', { ok: true, message: 'fine' })).toBe(true);
    expect(bob.get('team-app').lastTest).toMatchObject({ ok: true, message: 'fine' });
    // Bob owns his; Alice is the admin.
    expect(bob.recordTest('bobs', { ok: true, message: 'mine' })).toBe(true);
    expect(alice.recordTest('bobs', { ok: false, message: 'admin' })).toBe(true);
    expect(carol.recordTest('bobs', { ok: true, message: 'carol' })).toBe(false);
    expect(carol.get('bobs').lastTest).toMatchObject({ ok: false, message: 'admin' });
    for (const store of [alice, bob, carol]) store.close();
  });
});

describe('the master key file', () => {
  it('is a configuration error when it cannot be read', () => {
    const dir = home();
    as(dir, 'alice').close();
    rmSync(join(dir, 'master.key'));
    mkdirSync(join(dir, 'master.key'));
    expect(() => as(dir, 'alice')).toThrow(ConfigError);
    expect(() => as(dir, 'alice')).toThrow(/Cannot read the master key file .*master\.key: EISDIR/);
  });
});
