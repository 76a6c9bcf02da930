/**
 * `cioc auth create` on a real terminal (tmux): it asks for everything missing in the modal's
 * order (name, scope, connector, region, Site ID, key without echo), offers to test the
 * credentials against the emulator before saving, and to switch to the region the key belongs
 * to. In a pipe it asks nothing and names every missing flag. CI installs tmux (.ci/run).
 */
import { describe, expect, it } from 'vitest';
import { AuthStore } from '../src/store/auth-store.js';
import { cioc, freshHome } from './support/cli.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';
import { hasTmux, terminal, type Terminal } from './support/tmux.js';

// The workspace lives in the EU, as `GET /v1/accounts/region` tells.
const { url } = await useEmulator({ workspace: { region: 'eu' } });

async function onTerminal(
  args: string[],
  env: Record<string, string>,
  check: (t: Terminal) => Promise<void>,
): Promise<void> {
  const t = terminal(['auth', 'create', ...args], { CIOC_USER: 'carol', CIOC_EMULATOR_URL: url, ...env });
  try {
    await check(t);
  } finally {
    t.close();
  }
}

const storeOf = (home: string) => AuthStore.open({ home, user: 'carol', env: {} });

describe.runIf(hasTmux)('interactive auth create', () => {
  it('asks for name, scope, connector, region, Site ID and key (no echo), tests, then saves', async () => {
    const home = freshHome();
    await onTerminal([], { CIOC_HOME: home }, async (t) => {
      await t.waitFor('Name (e.g. prod-track):');
      t.keys('term-track', 'Enter');
      await t.waitFor(
        'Scope: only you, or every member of the organisation (personal, organisational) [personal]:',
      );
      t.keys('o', 'Enter'); // an unambiguous start is enough
      await t.waitFor('Connector (track, app, beta) [track]:');
      t.keys('Enter'); // the default: track
      await t.waitFor('Region (us, eu, emulator) [us]:');
      t.keys('nowhere', 'Enter');
      await t.waitFor('Please answer one of: us, eu, emulator.');
      t.keys('EMULATOR', 'Enter');
      await t.waitFor('Site ID:');
      t.keys(CREDENTIALS.track.siteId, 'Enter');
      await t.waitFor('Track API key:');
      t.keys(CREDENTIALS.track.apiKey, 'Enter');
      await t.waitFor('Test the credentials now? (Y/n):');
      t.keys('Enter');
      const screen = await t.waitFor('[exit 0]');
      expect(screen).toContain('Testing the track credentials in the emulator region…');
      expect(screen).toContain('✓ OK: the Track credentials work');
      expect(screen).toContain('"scope": "organisational"');
      expect(screen).toContain('"ok": true');
      expect(screen).not.toContain(CREDENTIALS.track.apiKey);
    });
    const store = storeOf(home);
    const saved = store.resolve('organisational:term-track');
    expect(saved).toMatchObject({ scope: 'organisational', region: 'emulator', lastTest: { ok: true } });
    expect(saved.credentials).toEqual(CREDENTIALS.track);
    store.close();
  });

  it('a failed test saves nothing unless asked to', async () => {
    const home = freshHome();
    await onTerminal(
      ['--name', 'bad-app', '--connector', 'app', '--region', 'emulator'],
      { CIOC_HOME: home },
      async (t) => {
        await t.waitFor(
          'Scope: only you, or every member of the organisation (personal, organisational) [personal]:',
        );
        t.keys('Enter');
        await t.waitFor('App API key:');
        t.keys('not-the-right-key', 'Enter');
        await t.waitFor('Test the credentials now? (Y/n):');
        t.keys('y', 'Enter');
        await t.waitFor('Save it anyway? (y/N):');
        t.keys('Enter');
        const screen = await t.waitFor('[exit 1]');
        expect(screen).toContain('✗ The credentials were refused (401)');
        expect(screen).toContain('Not saved: "bad-app" failed its test');
      },
    );
    const listed = await cioc(['auth', 'list', '--json'], { env: { CIOC_HOME: home, CIOC_USER: 'carol' } });
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('offers the region the account is in, and saves that one', async () => {
    const home = freshHome();
    // A us authentication pointed at the emulator (as at a proxy): the account says it is in the EU.
    const flags = ['--name', 'wrong-region', '--connector', 'track', '--scope', 'personal', '--region', 'us'];
    const base = ['--base-url', `${url}/api`, '--allow-custom-base-url'];
    await onTerminal(
      [...flags, ...base, '--site-id', CREDENTIALS.track.siteId],
      { CIOC_HOME: home },
      async (t) => {
        await t.waitFor('Track API key:');
        t.keys(CREDENTIALS.track.apiKey, 'Enter');
        await t.waitFor('Test the credentials now? (Y/n):');
        t.keys('Enter');
        await t.waitFor('Use the eu region instead? (Y/n):');
        t.keys('Enter');
        const screen = await t.waitFor('[exit 0]');
        expect(screen).toContain('is in the EU region while this authentication says US');
        expect(screen).toContain('Testing the track credentials in the eu region…');
        expect(screen).toContain('"region": "eu"');
      },
    );
    const store = storeOf(home);
    expect(store.get('wrong-region')).toMatchObject({ region: 'eu', lastTest: { ok: true } });
    store.close();
  });

  it('says a name is taken before the key is typed, and asks for another', async () => {
    const home = freshHome();
    const made = await cioc(
      ['auth', 'create', '--name', 'twice', '--connector', 'app', '--region', 'emulator', '--api-key-stdin'],
      { env: { CIOC_HOME: home, CIOC_USER: 'carol' }, stdin: CREDENTIALS.app.apiKey },
    );
    expect(made.code, made.stderr).toBe(0);
    await onTerminal(
      ['--connector', 'app', '--region', 'emulator', '--no-test'],
      { CIOC_HOME: home },
      async (t) => {
        await t.waitFor('Name (e.g. prod-track):');
        t.keys('twice', 'Enter');
        await t.waitFor('[personal]:');
        t.keys('Enter');
        await t.waitFor('You already have a personal authentication named "twice".');
        await t.waitFor('Another name:');
        t.keys('thrice', 'Enter');
        await t.waitFor('App API key:');
        t.keys(CREDENTIALS.app.apiKey, 'Enter');
        const screen = await t.waitFor('[exit 0]');
        expect(screen).toContain('"name": "thrice"');
        expect(screen).not.toContain('Test the credentials now?');
      },
    );
  });
});

describe('auth create in a pipe', () => {
  it('asks nothing and names every missing flag', async () => {
    const env = { CIOC_HOME: freshHome(), CIOC_USER: 'carol' };
    const bare = await cioc(['auth', 'create'], { env });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Missing --name, --connector, --site-id (for track) and --api-key-stdin');
    const app = await cioc(['auth', 'create', '--connector', 'app'], { env });
    expect(app.stderr).toContain('Missing --name and --api-key-stdin:');
    const track = await cioc(['auth', 'create', '--name', 'x', '--connector', 'track', '--api-key-stdin'], {
      env,
      stdin: 'k-12345678',
    });
    expect(track.code).toBe(2);
    expect(track.stderr).toContain('Missing --site-id:');
  });

  it('--test tests before saving and saves nothing when the test fails', async () => {
    const env = { CIOC_HOME: freshHome(), CIOC_USER: 'carol', CIOC_EMULATOR_URL: url };
    const args = [
      'auth',
      'create',
      '--connector',
      'app',
      '--region',
      'emulator',
      '--api-key-stdin',
      '--test',
    ];
    const bad = await cioc([...args, '--name', 'bad'], { env, stdin: 'wrong-key-123' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('Not saved: the test failed');
    const good = await cioc([...args, '--name', 'good'], { env, stdin: CREDENTIALS.app.apiKey });
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ name: 'good', last_test: { ok: true } });
    const listed = await cioc(['auth', 'list', '--json'], { env });
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((a) => a.name)).toEqual(['good']);
  });
});
