/**
 * Named authentications end to end: the real `cioc` binary, a real SQLite store in a temporary
 * CIOC_HOME, and the emulator over loopback.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/store/migrations.js';
import { BIN, cioc, freshHome } from './support/cli.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();

const SECRETS = [
  CREDENTIALS.track.apiKey,
  CREDENTIALS.app.apiKey,
  Buffer.from(`${CREDENTIALS.track.siteId}:${CREDENTIALS.track.apiKey}`).toString('base64'),
];
const expectNoSecret = (text: string): void => {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
};

function user(home: string, name: string, extra: Record<string, string> = {}) {
  const env = { CIOC_HOME: home, CIOC_USER: name, CIOC_EMULATOR_URL: url, ...extra };
  return (args: string[], stdin?: string) => cioc(args, { env, ...(stdin === undefined ? {} : { stdin }) });
}

async function createAll(run: ReturnType<typeof user>): Promise<void> {
  const created = [
    await run(
      `auth create --name emu-track --connector track --region emulator --site-id ${CREDENTIALS.track.siteId} --api-key-stdin`.split(
        ' ',
      ),
      `${CREDENTIALS.track.apiKey}\n`,
    ),
    await run(
      'auth create --name emu-app --connector app --region emulator --scope organisational --api-key-stdin'.split(
        ' ',
      ),
      CREDENTIALS.app.apiKey,
    ),
    await run(
      'auth create --name emu-beta --connector beta --region emulator --api-key-stdin'.split(' '),
      CREDENTIALS.app.apiKey,
    ),
  ];
  expect(created.map((r) => r.code)).toEqual([0, 0, 0]);
}

describe('cioc auth', () => {
  it('creates, lists, tests, uses and deletes authentications for all three connectors', async () => {
    const home = freshHome();
    const alice = user(home, 'alice');
    await createAll(alice);
    const list = await alice(['auth', 'list']);
    expect(list.stdout.split('\n')[0]).toMatch(
      /^NAME\s+CONNECTOR\s+SCOPE\s+REGION\s+OWNER\s+KEY\s+LAST TEST$/,
    );
    expect(list.stdout).toMatch(/emu-app\s+app\s+organisational\s+emulator\s+alice\s+…-key\s+never/);
    const json = JSON.parse((await alice(['auth', 'list', '--json'])).stdout) as {
      name: string;
      connector: string;
    }[];
    expect(json.map((a) => `${a.connector}:${a.name}`)).toEqual([
      'app:emu-app',
      'beta:emu-beta',
      'track:emu-track',
    ]);

    for (const name of ['emu-track', 'emu-app', 'emu-beta']) {
      const test = await alice(['auth', 'test', name]);
      expect(test.code, test.stderr).toBe(0);
      expect(JSON.parse(test.stdout)).toMatchObject({ name, ok: true });
    }
    expect(JSON.parse((await alice(['auth', 'show', 'emu-app'])).stdout)).toMatchObject({
      last_test: { ok: true },
    });

    expect(
      (
        await alice([
          'track',
          'create-or-update-customer',
          '--auth',
          'emu-track',
          '--identifier',
          '42',
          '--email',
          'ada@example.com',
          '--attributes',
          '{"plan":"pro"}',
        ])
      ).code,
    ).toBe(0);
    expect(emulator.state.find('id', '42')).toMatchObject({
      email: 'ada@example.com',
      attributes: { plan: 'pro' },
    });
    const appCall = await alice([
      'app',
      'raw-http-request',
      '--auth',
      'emu-app',
      '--method',
      'GET',
      '--endpoint',
      '/customers',
      '--query-parameters',
      '{"email":"ada@example.com"}',
    ]);
    expect(JSON.parse(appCall.stdout)).toMatchObject({ status: 200, body: { results: [{ id: '42' }] } });
    const betaCall = await alice([
      'beta',
      'raw-http-request',
      '--auth',
      'emu-beta',
      '--method',
      'POST',
      '--endpoint',
      '/campaigns/1/triggers',
      '--body-type',
      'json',
      '--body',
      '{"ids":["42"]}',
    ]);
    expect(JSON.parse(betaCall.stdout)).toMatchObject({ status: 200, body: { id: 1 } });
    expect(emulator.requests.map((r) => r.path)).toContain('/v1/api/campaigns/1/triggers');

    // Without a terminal to ask on, nothing is deleted without --yes.
    const unconfirmed = await alice(['auth', 'delete', 'emu-beta']);
    expect(unconfirmed.code).toBe(2);
    expect(JSON.parse(unconfirmed.stderr)).toEqual({
      error: {
        type: 'validation',
        message:
          'Not deleted: "emu-beta" cannot be confirmed without a terminal; pass --yes to delete it without asking.',
      },
    });
    expect((await alice(['auth', 'show', 'emu-beta'])).code).toBe(0);
    expect(JSON.parse((await alice(['auth', 'delete', 'emu-beta', '--yes'])).stdout)).toEqual({
      deleted: 'emu-beta',
      connector: 'beta',
      scope: 'personal',
    });
    const gone = await alice([
      'beta',
      'raw-http-request',
      '--auth',
      'emu-beta',
      '--method',
      'GET',
      '--endpoint',
      '/workspaces',
    ]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain('No authentication named \\"emu-beta\\"');
  }, 60_000);

  it('rotates keys, renames and changes region', async () => {
    const home = freshHome();
    const alice = user(home, 'alice');
    await createAll(alice);
    expect((await alice(['auth', 'update', 'emu-app', '--api-key-stdin'], 'wrong-key-0000')).code).toBe(0);
    expect((await alice(['auth', 'test', 'emu-app'])).code).toBe(3);
    expect(
      (
        await alice(
          ['auth', 'update', 'emu-app', '--api-key-stdin', '--rename', 'emulator-app'],
          CREDENTIALS.app.apiKey,
        )
      ).code,
    ).toBe(0);
    expect((await alice(['auth', 'test', 'emulator-app'])).code).toBe(0);
    const moved = await alice(['auth', 'update', 'emulator-app', '--region', 'eu']);
    expect(JSON.parse(moved.stdout)).toMatchObject({ name: 'emulator-app', region: 'eu' });
  });

  it('refuses bad input with a clear message and exit 2, and warns about a plain secret flag', async () => {
    const alice = user(freshHome(), 'alice');
    const missing = await alice(['auth', 'create', '--connector', 'app', '--api-key-stdin'], 'k-123456789');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing --name');
    const badUrl = await alice(
      [
        'auth',
        'create',
        '--name',
        'x',
        '--connector',
        'app',
        '--base-url',
        'file:///etc/passwd',
        '--api-key-stdin',
      ],
      'k-123456789',
    );
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('http or https');
    const plain = await alice([
      'auth',
      'create',
      '--name',
      'p',
      '--connector',
      'app',
      '--region',
      'emulator',
      '--api-key',
      CREDENTIALS.app.apiKey,
    ]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('warning: a secret given as a flag value');
    const duplicate = await alice(
      ['auth', 'create', '--name', 'p', '--connector', 'app', '--api-key-stdin'],
      'k-123456789',
    );
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain('already exists');
  });

  it('diagnoses a Track region mismatch against an EU emulator workspace', async () => {
    emulator.state.workspace.region = 'eu';
    try {
      const alice = user(freshHome(), 'alice');
      await alice(
        [
          'auth',
          'create',
          '--name',
          'prod-track',
          '--connector',
          'track',
          '--region',
          'us',
          '--base-url',
          `${url}/api`,
          '--allow-custom-base-url',
          '--site-id',
          CREDENTIALS.track.siteId,
          '--api-key-stdin',
        ],
        CREDENTIALS.track.apiKey,
      );
      const test = await alice(['auth', 'test', 'prod-track']);
      expect(test.code).toBe(3);
      expect(JSON.parse(test.stdout)).toMatchObject({
        ok: false,
        accountRegion: 'eu',
        fix: 'cioc auth update "prod-track" --region eu',
      });
      expect(JSON.parse(test.stderr)).toMatchObject({
        error: { type: 'config', hint: 'Fix: cioc auth update "prod-track" --region eu' },
      });
      await alice(['auth', 'update', 'prod-track', '--region', 'eu']);
      expect((await alice(['auth', 'test', 'prod-track'])).code).toBe(0);
    } finally {
      emulator.state.workspace.region = 'us';
    }
  });
});

describe('scopes', () => {
  it('keeps a Personal authentication to its owner and shares an Organisational one', async () => {
    const home = freshHome();
    const alice = user(home, 'alice');
    const bob = user(home, 'bob');
    await createAll(alice);
    const bobList = JSON.parse((await bob(['auth', 'list', '--json'])).stdout) as { name: string }[];
    expect(bobList.map((a) => a.name)).toEqual(['emu-app']);
    const denied = await bob(['track', 'delete-customer', '--auth', 'emu-track', '--identifier', '1']);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toContain('is visible to user \\"bob\\"');
    expect((await bob(['auth', 'show', 'emu-track'])).code).toBe(3);
    expect((await bob(['auth', 'delete', 'emu-track', '--yes'])).code).toBe(3);
    const shared = await bob([
      'app',
      'raw-http-request',
      '--auth',
      'emu-app',
      '--method',
      'GET',
      '--endpoint',
      '/workspaces',
    ]);
    expect(shared.code).toBe(0);
    expect((await bob(['auth', 'delete', 'emu-app', '--yes'])).stderr).toContain('Only its owner (alice)');
    expect(emulator.requests).toHaveLength(1);
  });
});

describe('selecting credentials', () => {
  it('prefers the command line, then the environment, then the default, and says which on --dry-run', async () => {
    const home = freshHome();
    const alice = user(home, 'alice');
    await createAll(alice);
    const source = async (args: string[], env: Record<string, string> = {}, stdin?: string) => {
      const result = await cioc(['track', 'delete-customer', '--identifier', '1', '--dry-run', ...args], {
        env: { CIOC_HOME: home, CIOC_USER: 'alice', CIOC_EMULATOR_URL: url, ...env },
        ...(stdin === undefined ? {} : { stdin }),
      });
      expectNoSecret(result.stdout + result.stderr);
      return result.code === 0
        ? (JSON.parse(result.stdout) as { credentials_from: string }).credentials_from
        : result.stderr;
    };
    expect(await source([])).toContain('No credentials for the track connector');
    await alice(['auth', 'default', 'emu-track']);
    expect(await source([])).toBe('default authentication "emu-track" for track (personal, owner alice)');
    const env = { CIOC_SITE_ID: 's', CIOC_TRACK_API_KEY: 'env-key-12345', CIOC_REGION: 'emulator' };
    expect(await source([], env)).toBe('environment (CIOC_SITE_ID, CIOC_TRACK_API_KEY)');
    expect(await source(['--auth', 'emu-track'], env)).toBe(
      'authentication "emu-track" (personal, owner alice; --auth)',
    );
    expect(await source(['--site-id', 's', '--api-key-stdin'], env, 'flag-key-678')).toBe(
      'command-line flags',
    );
    expect(await source(['--site-id', 's', '--api-key-stdin'], env, '')).toContain('standard input is empty');
    const wrongConnector = await source(['--auth', 'emu-app']);
    expect(wrongConnector).toContain('is for the app connector, not track');
  });
});

describe('secrets', () => {
  it('never leave the store in plaintext, nor appear in logs, errors or dry runs; a wrong master key fails cleanly', async () => {
    const home = freshHome();
    const masterKey = randomBytes(32).toString('base64');
    const alice = user(home, 'alice', { CIOC_MASTER_KEY: masterKey });
    await createAll(alice);
    const outputs: string[] = [];
    for (const args of [
      ['track', 'delete-customer', '--auth', 'emu-track', '--identifier', '1', '--verbose'],
      ['track', 'delete-customer', '--auth', 'emu-track', '--identifier', '1', '--dry-run'],
      ['app', 'raw-http-request', '--auth', 'emu-app', '--method', 'GET', '--endpoint', '/nope', '--verbose'],
      ['auth', 'list', '--json'],
      ['auth', 'show', 'emu-track'],
      ['auth', 'test', 'emu-track'],
    ]) {
      const result = await alice(args);
      outputs.push(result.stdout, result.stderr);
    }
    expectNoSecret(outputs.join('\n'));
    expect(outputs.join('\n')).toContain('[REDACTED]');
    const files = readdirSync(home).filter((f) => f.startsWith('cioc.db'));
    expect(files).toContain('cioc.db');
    for (const file of files) {
      const bytes = readFileSync(join(home, file));
      for (const secret of SECRETS)
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
      expect(statSync(join(home, file)).mode & 0o077).toBe(0);
    }
    const wrong = await user(home, 'alice', { CIOC_MASTER_KEY: randomBytes(32).toString('base64') })([
      'auth',
      'list',
    ]);
    expect(wrong.code).toBe(3);
    expect(JSON.parse(wrong.stderr)).toMatchObject({ error: { type: 'config' } });
    expect(wrong.stderr).toContain('master key (CIOC_MASTER_KEY)');
    expect(wrong.stderr).not.toContain('    at ');
  });
});

describe('base URLs', () => {
  it('refuses one that sends a us/eu key elsewhere unless --allow-custom-base-url, on create and update', async () => {
    const home = freshHome();
    const alice = user(home, 'alice');
    const create = (...extra: string[]) =>
      alice(
        ['auth', 'create', '--name', 'p1', '--connector', 'app', '--api-key-stdin', ...extra],
        'k-123456789',
      );
    const refused = await create('--region', 'us', '--base-url', 'http://evil.example.test');
    expect(refused.code).toBe(2);
    const error = (JSON.parse(refused.stderr) as { error: { type: string; issues: unknown; hint: string } })
      .error;
    expect(error).toMatchObject({
      type: 'validation',
      issues: [
        { path: '/base_url', message: expect.stringContaining('would send the key to evil.example.test') },
      ],
    });
    expect(error.hint).toContain('--allow-custom-base-url');
    expect(JSON.parse((await alice(['auth', 'list', '--json'])).stdout)).toEqual([]);

    expect((await create('--region', 'us')).code).toBe(0);
    const update = await alice(['auth', 'update', 'p1', '--base-url', 'http://evil.example.test']);
    expect(update.code).toBe(2);
    expect(update.stderr).toContain('would send the key to evil.example.test');
    const sideways = await alice([
      'auth',
      'update',
      'p1',
      '--region',
      'emulator',
      '--base-url',
      'http://evil.example.test',
    ]);
    expect(sideways.code).toBe(2);
    expect(JSON.parse((await alice(['auth', 'show', 'p1'])).stdout)).toMatchObject({
      region: 'us',
      base_url: null,
    });

    const allowed = await alice([
      'auth',
      'update',
      'p1',
      '--base-url',
      'https://proxy.example.test/v1',
      '--allow-custom-base-url',
    ]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({
      region: 'us',
      base_url: 'https://proxy.example.test/v1',
    });
    const emulatorRegion = await alice(
      [
        'auth',
        'create',
        '--name',
        'e1',
        '--connector',
        'app',
        '--region',
        'emulator',
        '--base-url',
        `${url}/v1`,
        '--api-key-stdin',
      ],
      CREDENTIALS.app.apiKey,
    );
    expect(emulatorRegion.code, emulatorRegion.stderr).toBe(0);
    expect((await alice(['auth', 'test', 'e1'])).code).toBe(0);
  });

  it('refuses a run-time --base-url or CIOC_BASE_URL over a stored us/eu key unless --allow-custom-base-url', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers);
      response.setHeader('content-type', 'application/json');
      response.end('{"ok":true}');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const other = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/v1`;
    try {
      const home = freshHome();
      const alice = user(home, 'alice');
      const created = await alice(
        'auth create --name p1 --connector app --region us --api-key-stdin'.split(' '),
        'k-stored-123456789',
      );
      expect(created.code, created.stderr).toBe(0);
      expect((await alice(['auth', 'default', 'p1'])).code).toBe(0);
      const raw = ['app', 'raw-http-request', '--method', 'GET', '--endpoint', '/whoami'];

      const byFlag = await alice([...raw, '--auth', 'p1', '--base-url', other]);
      expect(byFlag.code).toBe(2);
      const error = (JSON.parse(byFlag.stderr) as { error: { type: string; issues: unknown; hint: string } })
        .error;
      expect(error).toMatchObject({
        type: 'validation',
        issues: [{ path: '/base_url', message: expect.stringContaining('would send the key to 127.0.0.1') }],
      });
      expect(error.hint).toContain('--allow-custom-base-url');
      const byEnv = await user(home, 'alice', { CIOC_BASE_URL: other })(raw);
      expect(byEnv.code).toBe(2);
      expect(byEnv.stderr).toContain('would send the key to 127.0.0.1');
      expect(byEnv.stderr).not.toContain('k-stored-123456789');
      expect(seen).toEqual([]);

      // Customer.io's own URL (either region's) and the emulator region need no permission: checked
      // with --dry-run, which sends nothing anywhere.
      const official = await alice([
        ...raw,
        '--auth',
        'p1',
        '--base-url',
        'https://api-eu.customer.io/v1/',
        '--dry-run',
      ]);
      expect(official.code, official.stderr).toBe(0);
      const emulatorRegion = await alice([
        ...raw,
        '--auth',
        'p1',
        '--region',
        'emulator',
        '--base-url',
        other,
        '--dry-run',
      ]);
      expect(emulatorRegion.code, emulatorRegion.stderr).toBe(0);

      const allowed = await alice([...raw, '--auth', 'p1', '--base-url', other, '--allow-custom-base-url']);
      expect(allowed.code, allowed.stderr).toBe(0);
      const allowedEnv = await user(home, 'alice', { CIOC_BASE_URL: other })([
        ...raw,
        '--allow-custom-base-url',
      ]);
      expect(allowedEnv.code, allowedEnv.stderr).toBe(0);
      expect(seen.map((h) => h.authorization)).toEqual([
        'Bearer k-stored-123456789',
        'Bearer k-stored-123456789',
      ]);

      // A key the user gives (flag or environment) goes wherever they say.
      const ownKey = await cioc([...raw, '--api-key-stdin', '--base-url', other], {
        env: { CIOC_HOME: home, CIOC_USER: 'alice' },
        stdin: 'k-own-123456789',
      });
      expect(ownKey.code, ownKey.stderr).toBe(0);
      const envKey = await cioc(raw, {
        env: {
          CIOC_HOME: home,
          CIOC_USER: 'alice',
          CIOC_APP_API_KEY: 'k-env-123456789',
          CIOC_BASE_URL: other,
        },
      });
      expect(envKey.code, envKey.stderr).toBe(0);
      expect(seen.slice(2).map((h) => h.authorization)).toEqual([
        'Bearer k-own-123456789',
        'Bearer k-env-123456789',
      ]);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});

describe('test results', () => {
  it('are recorded by the owner or an admin only; another member still runs the test and sees the result', async () => {
    const home = freshHome();
    const alice = user(home, 'alice');
    const bob = user(home, 'bob');
    await createAll(alice);
    await bob(['auth', 'list']); // Bob joins the organisation as a member.
    const bobTest = await bob(['auth', 'test', 'emu-app']);
    expect(bobTest.code, bobTest.stderr).toBe(0);
    expect(JSON.parse(bobTest.stdout)).toMatchObject({ name: 'emu-app', ok: true, recorded: false });
    expect(bobTest.stderr).toContain('only its owner (alice) or an admin records test results');
    expect(JSON.parse((await alice(['auth', 'show', 'emu-app'])).stdout)).toMatchObject({ last_test: null });

    const aliceTest = await alice(['auth', 'test', 'emu-app']);
    expect(JSON.parse(aliceTest.stdout)).toMatchObject({ ok: true, recorded: true });
    expect(aliceTest.stderr).toBe('');
    expect(JSON.parse((await bob(['auth', 'show', 'emu-app'])).stdout)).toMatchObject({
      last_test: { ok: true },
    });
  });
});

describe('the store file', () => {
  const expectConfigError = (result: { code: number | null; stderr: string }, text: string): void => {
    expect(result.code, result.stderr).toBe(3);
    expect(JSON.parse(result.stderr)).toMatchObject({
      error: { type: 'config', message: expect.stringContaining(text) },
    });
    expect(result.stderr).not.toContain('    at ');
  };

  it('damaged, made by a newer cioc, or without its key check: exit 3 with a clear message', async () => {
    const damaged = freshHome();
    await createAll(user(damaged, 'alice'));
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(damaged, `cioc.db${suffix}`), { force: true });
    writeFileSync(join(damaged, 'cioc.db'), 'this is not a database, it is a text file\n'.repeat(200));
    expectConfigError(await user(damaged, 'alice')(['auth', 'list']), 'is damaged or is not a cioc store');

    const newer = freshHome();
    const alice = user(newer, 'alice');
    await createAll(alice);
    const db = new Database(join(newer, 'cioc.db'));
    db.pragma(`user_version = ${String(MIGRATIONS.length + 1)}`);
    db.close();
    expectConfigError(await alice(['auth', 'list']), 'created by a newer version of cioc');
    expectConfigError(
      await alice(['track', 'delete-customer', '--auth', 'emu-track', '--identifier', '1']),
      'created by a newer version of cioc',
    );

    const tampered = freshHome();
    const bob = user(tampered, 'bob');
    await createAll(bob);
    const raw = new Database(join(tampered, 'cioc.db'));
    raw.prepare("DELETE FROM meta WHERE key = 'key_check'").run();
    raw.close();
    expectConfigError(
      await user(tampered, 'bob', { CIOC_MASTER_KEY: randomBytes(32).toString('base64') })(['auth', 'list']),
      'its key check is missing',
    );
    expectConfigError(await bob(['auth', 'list']), 'its key check is missing');
  });

  it('is opened safely by 40 processes at once on a fresh CIOC_HOME, each writing', async () => {
    const module = pathToFileURL(resolve(dirname(BIN), '../dist/store/auth-store.js')).href;
    const homes = [freshHome(), freshHome(), freshHome()];
    const processes = 40;
    // Every process waits for the same instants, then opens: a first open on each fresh home at once.
    const start = Date.now() + 2_500;
    const script = `
      const { AuthStore } = await import(${JSON.stringify(module)});
      const homes = ${JSON.stringify(homes)};
      for (const [round, home] of homes.entries()) {
        while (Date.now() < ${String(start)} + round * 600) {}
        const store = AuthStore.open({ home, user: 'user-' + process.env.N, env: {} });
        store.create({ name: 'auth-' + process.env.N, connector: 'app', scope: 'organisational', credentials: { apiKey: 'key-' + process.env.N + '-0000' } });
        store.close();
      }`;
    const run = (n: number) =>
      new Promise<{ code: number | null; output: string }>((done) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
          env: { PATH: process.env['PATH'] ?? '', N: String(n) },
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('close', (code) => {
          done({ code, output });
        });
      });
    const results = await Promise.all(Array.from({ length: processes }, (_, n) => run(n)));
    expect(results.filter((r) => r.code !== 0).map((r) => r.output.slice(0, 300))).toEqual([]);
    for (const home of homes) {
      const db = new Database(join(home, 'cioc.db'), { readonly: true });
      expect(db.prepare('SELECT count(*) AS n FROM authentications').get()).toEqual({ n: processes });
      expect(
        db.prepare('SELECT role, count(*) AS n FROM memberships GROUP BY role ORDER BY role').all(),
      ).toEqual([
        { role: 'admin', n: 1 },
        { role: 'member', n: processes - 1 },
      ]);
      expect(db.prepare("SELECT count(*) AS n FROM meta WHERE key = 'key_check'").get()).toEqual({ n: 1 });
      db.close();
      // One master key for all of them: every credential decrypts.
      const names = JSON.parse((await user(home, 'user-0')(['auth', 'list', '--json'])).stdout) as unknown[];
      expect(names).toHaveLength(processes);
    }
  }, 60_000);
});

const CREATE_ONE = 'auth create --name p --connector app --region emulator --api-key-stdin'.split(' ');

describe('CIOC_HOME permissions', () => {
  it('tightens a world-accessible home of ours to 0700', async () => {
    const home = freshHome();
    mkdirSync(home);
    chmodSync(home, 0o777);
    // Creating an authentication opens (and creates) the store; listing alone creates nothing.
    const result = await user(home, 'alice')(CREATE_ONE, CREDENTIALS.app.apiKey);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  it.skipIf(process.getuid?.() !== 0)('warns on stderr about one it does not own', async () => {
    const home = freshHome();
    mkdirSync(home);
    chmodSync(home, 0o777);
    chownSync(home, 65534, 65534);
    const result = await user(home, 'alice')(CREATE_ONE, CREDENTIALS.app.apiKey);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `warning: CIOC_HOME ${home} is readable or writable by other users (mode 0777)`,
    );
    expect(statSync(home).mode & 0o777).toBe(0o777);
  });
});
