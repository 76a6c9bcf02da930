/** The CLI generated from the registry: flags from input schemas, coercion, errors, output, completion. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/main.js';
import { compiledSchemaCount } from '../src/schema.js';
import { cioc } from './support/cli.js';
import { emulatorEnv, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();
/**
 * For `node --import`: writes `LOAD <url>` to stderr for every module loaded (not Node's own), and at
 * exit `LOAD <path>` for every file `require` read (CommonJS packages such as Ajv and undici, and
 * the generated operation data) — loads the ESM hook does not see.
 */
const TRACE_LOADS = `data:text/javascript,${encodeURIComponent(
  `import { createRequire, register } from 'node:module'; register(${JSON.stringify(
    `data:text/javascript,${encodeURIComponent(
      "export async function load(url, context, next) { if (!url.startsWith('node:')) process.stderr.write('LOAD ' + url + '\\n'); return next(url, context); }",
    )}`,
  )}); const cache = createRequire(process.cwd() + '/').cache; process.on('exit', () => { for (const file of Object.keys(cache)) process.stderr.write('LOAD ' + file + '\\n'); });`,
)}`;
const env = emulatorEnv(url);
const run = (args: string[]) => cioc(args, { env });
const errorOf = (stderr: string) =>
  (JSON.parse(stderr) as { error: { type: string; message: string } }).error;

describe('cioc <connector> <operation>', () => {
  it('coerces typed flags and sends them under their wire names', async () => {
    const result = await run([
      'track',
      'track-custom-event',
      '--identifier',
      '42',
      '--name',
      'viewed',
      '--type',
      'page',
      '--timestamp',
      '1700000000',
      '--data',
      '{"path":"/pricing"}',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(emulator.state.events).toMatchObject([
      { name: 'viewed', type: 'page', timestamp: 1700000000, data: { path: '/pricing' }, customer_id: '42' },
    ]);
    await run([
      'track',
      'create-or-update-customer',
      '--identifier',
      '42',
      '--created-at',
      '1600000000',
      '--attributes',
      '{"plan":"pro"}',
    ]);
    expect(
      (await run(['track', 'create-or-update-customer', '--identifier', 'nobody', '--update-only'])).code,
    ).toBe(0);
    expect(emulator.state.people.map((p) => p.id)).toEqual(['42']);
    const dry = await run([
      'track',
      'create-or-update-customer',
      '--identifier',
      '42',
      '--update-only',
      'false',
      '--unsubscribed',
      '--dry-run',
    ]);
    expect((JSON.parse(dry.stdout) as { request: { body: unknown } }).request.body).toEqual({
      _update: false,
      unsubscribed: true,
    });
  });

  it('reads a union of scalars as a number when it can, a string otherwise', async () => {
    const byId = await run([
      'app',
      'send-transactional-email',
      '--transactional-message-id',
      '7',
      '--identifiers',
      '{"id":"42"}',
      '--to',
      'ada@example.com',
      '--dry-run',
    ]);
    expect(
      (JSON.parse(byId.stdout) as { request: { body: { transactional_message_id: unknown } } }).request.body
        .transactional_message_id,
    ).toBe(7);
    const byName = await run([
      'app',
      'send-transactional-email',
      '--transactional-message-id',
      'welcome',
      '--identifiers',
      '{"id":"42"}',
      '--to',
      'ada@example.com',
    ]);
    expect(byName.code, byName.stderr).toBe(0);
    expect(emulator.state.deliveries).toMatchObject([{ transactional_message_id: 7 }]); // the template's id
  });

  it('merges --input with flags, flags winning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cioc-input-'));
    writeFileSync(
      join(dir, 'in.json'),
      '{"identifier":"7","email":"old@example.com","attributes":{"a":"1"}}',
    );
    expect(
      (
        await run([
          'track',
          'create-or-update-customer',
          '--input',
          `@${join(dir, 'in.json')}`,
          '--email',
          'new@example.com',
        ])
      ).code,
    ).toBe(0);
    expect(emulator.state.find('id', '7')).toMatchObject({
      email: 'new@example.com',
      attributes: { a: '1' },
    });
  });

  it('takes a whole v2 entity with --input', async () => {
    const entity = {
      type: 'person',
      action: 'identify',
      identifiers: { id: 'v2' },
      attributes: { plan: 'pro' },
    };
    expect((await run(['track', 'send-entity', '--input', JSON.stringify(entity)])).code).toBe(0);
    expect(emulator.state.find('id', 'v2')?.attributes['plan']).toBe('pro');
  });

  it('names the flag in every input error, exits 2 and sends nothing', async () => {
    const missing = await run(['track', 'delete-customer']);
    expect(missing.code).toBe(2);
    expect(errorOf(missing.stderr).message).toContain('/identifier is required (--identifier)');
    const event = (...extra: string[]) =>
      run(['track', 'track-custom-event', '--identifier', '1', '--name', 'n', ...extra]);
    const integer = await event('--timestamp', 'soon');
    expect(errorOf(integer.stderr).message).toBe(
      '--timestamp must be Unix seconds or an ISO-8601 date (2024-05-01T12:00:00Z), not "soon"',
    );
    const json = await event('--data', '{oops');
    expect(errorOf(json.stderr).message).toContain('--data must be JSON');
    const choice = await event('--type', 'click');
    expect(choice.code).toBe(2);
    expect(errorOf(choice.stderr)).toMatchObject({ type: 'usage' });
    expect(errorOf(choice.stderr).message).toContain('Allowed choices are event, page, screen');
    const bool = await run([
      'track',
      'create-or-update-customer',
      '--identifier',
      '1',
      '--update-only',
      'maybe',
    ]);
    expect(errorOf(bool.stderr).message).toContain('--update-only must be true or false');
    const unknownOp = await run(['track', 'delete-customers']);
    expect(unknownOp.code).toBe(2);
    expect(emulator.requests).toHaveLength(0);
  });

  it('prints ndjson and tables', async () => {
    await run(['track', 'create-or-update-customer', '--identifier', '1', '--email', 'one@example.com']);
    const ndjson = await run([
      'app',
      'raw-http-request',
      '--method',
      'GET',
      '--endpoint',
      '/customers',
      '--query-parameters',
      '{"email":"one@example.com"}',
      '--output',
      'ndjson',
    ]);
    expect(ndjson.stdout.trim().split('\n')).toHaveLength(1);
    const table = await run([
      'app',
      'raw-http-request',
      '--method',
      'GET',
      '--endpoint',
      '/workspaces',
      '--output',
      'table',
    ]);
    expect(table.stdout).toMatch(/^FIELD\s+VALUE\n/);
    expect(table.stdout).toMatch(/status\s+200/);
  });

  it('documents each operation with generated help and examples', async () => {
    const help = await run(['track', 'create-or-update-customer', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--update-only [true|false]');
    expect(help.stdout).toContain('(required)');
    expect(help.stdout).toContain(
      'cioc track create-or-update-customer --identifier 42 --email ada@example.com --attributes \'{"plan":"pro","seats":3}\' --auth <name>',
    );
    const list = await run(['app', '--help']);
    expect(list.stdout).toContain('send-transactional-email');
  });
});

describe('completion', () => {
  it('prints bash and zsh scripts and completes from the registry', async () => {
    expect((await run(['completion', 'bash'])).stdout).toContain(
      'complete -o default -F _cioc_complete cioc',
    );
    expect((await run(['completion', 'zsh'])).stdout).toContain('compdef _cioc cioc');
    expect((await run(['completion', 'tcsh'])).code).toBe(2);
    const words = async (...w: string[]) => (await run(['__complete', '--', ...w])).stdout.trim().split('\n');
    expect(await words('tr')).toEqual(['track']);
    expect(await words('track', 'create')).toEqual(['create-or-update-customer']);
    expect(await words('track', 'delete-customer', '--i')).toEqual(['--identifier', '--input']);
    expect(await words('run', 'app.')).toEqual(
      expect.arrayContaining(['app.raw_http_request', 'app.trigger_broadcast']),
    );
    expect(await words('track', 'delete-customer', '--region', '')).toEqual(['us', 'eu', 'emulator']);
  });
});

describe('start-up', () => {
  const sink = new PassThrough();
  const io = { stdout: sink, stderr: sink, stdin: new PassThrough(), env: {} };

  it('builds the whole CLI without compiling a single schema', async () => {
    const before = compiledSchemaCount(); // the in-process emulator of this file may have compiled some
    for (const connector of ['track', 'app', 'beta'])
      expect(
        (await buildProgram(io, ['node', 'cioc', connector])).commands.find((c) => c.name() === connector)
          ?.commands.length,
      ).toBeGreaterThan(5);
    await buildProgram(io, ['node', 'cioc'], undefined, { loadAll: true });
    expect(compiledSchemaCount()).toBe(before);
  });

  it('builds only the operation command named; all of them when listing or suggesting', async () => {
    const subcommands = async (...words: string[]): Promise<string[]> =>
      (
        (await buildProgram(io, ['node', 'cioc', ...words])).commands.find((c) => c.name() === words[0])
          ?.commands ?? []
      ).map((c) => c.name());
    expect(await subcommands('app', 'get-segment', '--segment-id', '4')).toEqual(['get-segment']);
    expect(await subcommands('app', 'get-segment', '--help')).toEqual(['get-segment']);
    const all = await subcommands('app');
    expect(all.length).toBeGreaterThan(100);
    expect(await subcommands('app', '--help')).toEqual(all);
    // An unknown name (or a near miss) needs them all, for "Did you mean …?".
    expect(await subcommands('app', 'list-segmets')).toEqual(all);
    expect(await subcommands('app', 'get_segment')).toEqual(all);
    const suggested = await cioc(['app', 'list-segmets']);
    expect(suggested.code).toBe(2);
    expect(suggested.stderr).toContain('Did you mean list-segments?');
  });

  it('shows the same help with the command groups left unloaded as with all of them loaded', async () => {
    const full = (await buildProgram(io, ['node', 'cioc'], undefined, { loadAll: true })).helpInformation();
    expect((await buildProgram(io, ['node', 'cioc'])).helpInformation()).toBe(full);
    for (const name of ['track', 'run', 'auth', 'workflow', 'user', 'token', 'import'])
      expect((await buildProgram(io, ['node', 'cioc', name])).helpInformation()).toBe(full);
  });

  /** Every module and required file a `node` run loads (its exit status checked). */
  const loaded = (args: string[], home = mkdtempSync(join(tmpdir(), 'cioc-loads-'))): string[] => {
    const result = spawnSync(process.execPath, ['--import', TRACE_LOADS, ...args], {
      encoding: 'utf8',
      env: { ...process.env, CIOC_HOME: home, CIOC_USER: 'dana' },
    });
    expect(result.status, result.stderr).toBe(0);
    return result.stderr.split('\n').filter((line) => line.startsWith('LOAD '));
  };
  const CIOC = resolve('bin/cioc.js');

  it('loads no schema, HTTP client, database or validator for --help and completion', async () => {
    for (const args of [['--help'], ['__complete', '--', 'tr'], ['__complete', '--', 'auth', '']]) {
      const modules = loaded([CIOC, ...args]);
      expect(modules.length).toBeGreaterThan(3); // the trace works
      for (const heavy of [
        '@sinclair/typebox',
        'undici',
        'better-sqlite3',
        '/ajv/',
        '/operations/',
        '/store/auth-store',
      ])
        expect(modules.filter((m) => m.includes(heavy))).toEqual([]);
    }
  });

  it('answers completion from a generated table: these modules and no others (no commander, no registry)', () => {
    const root = pathToFileURL(resolve('.')).href;
    const completionLoads = (words: string[]): string[] =>
      loaded([CIOC, '__complete', '--', ...words])
        .map((line) => line.slice('LOAD '.length).replace(`${root}/`, ''))
        .sort();
    const expected = [
      'bin/cioc.js',
      'dist/cli/commands/completion.js',
      'dist/cli/generated/completion-words.js',
      'dist/cli/io.js',
      'dist/errors.js',
      'dist/regions.js',
      'dist/store/location.js',
    ];
    for (const words of [
      ['tr'],
      ['track', 'cr'],
      ['track', 'track-custom-event', '--type', ''],
      ['app', 'list-customers-in-segment', '--'],
      ['run', 'app.'],
      ['auth', ''],
      ['track', 'delete-customer', '--auth', ''], // no store in this CIOC_HOME: none opened
    ])
      expect(completionLoads(words), words.join(' ')).toEqual(expected);
  });

  it('completes --auth from a store with a names-only read: no master key, no secret code', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cioc-loads-'));
    const created = await cioc(
      [
        'auth',
        'create',
        '--name',
        'prod-app',
        '--connector',
        'app',
        '--region',
        'emulator',
        '--api-key-stdin',
      ],
      { env: { CIOC_HOME: home, CIOC_USER: 'dana' }, stdin: 'key' },
    );
    expect(created.code, created.stderr).toBe(0);
    const result = spawnSync(
      process.execPath,
      ['--import', TRACE_LOADS, CIOC, '__complete', '--', 'app', 'list-segments', '--auth', ''],
      { encoding: 'utf8', env: { ...process.env, CIOC_HOME: home, CIOC_USER: 'dana' } },
    );
    expect(result.stdout).toBe('prod-app\n');
    const modules = result.stderr.split('\n').filter((line) => line.startsWith('LOAD '));
    expect(modules.filter((m) => m.endsWith('/dist/store/auth-names.js'))).toHaveLength(1);
    expect(modules.filter((m) => m.includes('better-sqlite3')).length).toBeGreaterThan(0);
    for (const unwanted of ['secret-box', 'auth-store', 'migrations', 'commander', 'registry'])
      expect(
        modules.filter((m) => m.includes(unwanted)),
        unwanted,
      ).toEqual([]);
    // A Track command is offered no App authentication.
    const track = spawnSync(
      process.execPath,
      [CIOC, '__complete', '--', 'track', 'delete-customer', '--auth', ''],
      {
        encoding: 'utf8',
        env: { ...process.env, CIOC_HOME: home, CIOC_USER: 'dana' },
      },
    );
    expect(track.stdout).toBe('');
    expect(loaded([CIOC, '__complete', '--', 'auth', 'show', ''], home).join('\n')).not.toContain(
      'secret-box',
    );
  });

  it('a Track dry run loads the Track data and validator only: no App data, store, HTTP client or TypeBox', async () => {
    const modules = loaded([
      CIOC,
      ...['track', 'track-custom-event', '--identifier', '42', '--name', 'purchase'],
      ...['--site-id', 'site', '--api-key', 'key', '--dry-run'],
    ]);
    // The trace sees the data and the CommonJS validator it required (so it would see the others).
    expect(modules.filter((m) => m.endsWith('/operations/generated/track.json'))).toHaveLength(1);
    expect(modules.filter((m) => m.includes('/ajv/')).length).toBeGreaterThan(0);
    for (const heavy of [
      '/operations/generated/app.json',
      '@sinclair/typebox',
      'undici',
      'better-sqlite3',
      '/store/',
    ])
      expect(modules.filter((m) => m.includes(heavy))).toEqual([]);
  });

  it('import() of the library loads no operation data, validator, HTTP client, database or TypeBox', async () => {
    const library = resolve('dist/index.js');
    const modules = loaded(['--input-type=module', '-e', `await import(${JSON.stringify(library)})`]);
    expect(modules.filter((m) => m.includes('/dist/client.js'))).toHaveLength(1); // the trace works
    for (const heavy of ['/operations/generated/', '/ajv/', 'undici', 'better-sqlite3', '@sinclair/typebox'])
      expect(modules.filter((m) => m.includes(heavy))).toEqual([]);
  });
});
