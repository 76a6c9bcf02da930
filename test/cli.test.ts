import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cioc } from './support/cli.js';
import { CREDENTIALS, emulatorEnv, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();

const env = emulatorEnv(url);
const SECRETS = [
  CREDENTIALS.track.apiKey,
  CREDENTIALS.app.apiKey,
  Buffer.from(`${CREDENTIALS.track.siteId}:${CREDENTIALS.track.apiKey}`).toString('base64'),
];

function expectNoSecrets(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('cioc run against the emulator', () => {
  it('creates a person, tracks an event once per id, and deletes the person', async () => {
    const created = await cioc(
      [
        'run',
        'track.create_or_update_customer',
        '--input',
        '{"identifier":"42","email":"ada@example.com","attributes":{"plan":"pro"}}',
      ],
      { env },
    );
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toEqual({});
    const people = (await (await fetch(`${url}/__emulator/people`)).json()) as {
      people: { id: string; email: string; attributes: Record<string, string> }[];
    };
    expect(people.people).toMatchObject([
      { id: '42', email: 'ada@example.com', attributes: { plan: 'pro' } },
    ]);

    const event = '{"identifier":"42","name":"purchase","id":"01JABCDEFGHJKMNPQRSTVWXYZ0"}';
    for (let i = 0; i < 2; i++)
      expect((await cioc(['run', 'track.track_custom_event', '--input', event], { env })).code).toBe(0);
    const events = (await (await fetch(`${url}/__emulator/events`)).json()) as { events: unknown[] };
    expect(events.events).toHaveLength(1);

    expect(
      (await cioc(['run', 'track.delete_customer', '--input', '{"identifier":"42"}'], { env })).code,
    ).toBe(0);
    expect(emulator.state.people).toHaveLength(0);
  });

  it('round-trips a broadcast trigger through app.raw_http_request', async () => {
    const post = await cioc(
      [
        'run',
        'app.raw_http_request',
        '--input',
        '{"method":"POST","endpoint":"/campaigns/1/triggers","body_type":"json","body":{"data":{"a":1}}}',
      ],
      { env },
    );
    expect(post.code).toBe(0);
    const id = (JSON.parse(post.stdout) as { body: { id: number } }).body.id;
    const get = await cioc(
      ['run', 'app.raw_http_request', '--input', `{"method":"GET","endpoint":"/campaigns/1/triggers/${id}"}`],
      { env },
    );
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ status: 200, body: { id, broadcast_id: 1 } });
  });

  it('reads input from a file and from standard input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cioc-'));
    const file = join(dir, 'input.json');
    writeFileSync(file, '{"identifier":"f1","attributes":{"from":"file"}}');
    expect(
      (await cioc(['run', 'track.create_or_update_customer', '--input', `@${file}`], { env })).code,
    ).toBe(0);
    expect(
      (
        await cioc(['run', 'track.create_or_update_customer', '--input', '-'], {
          env,
          stdin: '{"identifier":"s1"}',
        })
      ).code,
    ).toBe(0);
    expect(emulator.state.people.map((p) => p.id)).toEqual(['f1', 's1']);
  });

  it('exits 3 with a clear message on a wrong key, without printing it', async () => {
    const result = await cioc(['run', 'track.delete_customer', '--input', '{"identifier":"1"}'], {
      env: { ...env, CIOC_TRACK_API_KEY: 'not-the-right-key-999' },
    });
    expect(result.code).toBe(3);
    const error = (JSON.parse(result.stderr) as { error: { type: string; status: number; message: string } })
      .error;
    expect(error).toMatchObject({ type: 'unauthorized', status: 401 });
    expect(error.message).toContain('Unauthorized');
    expect(result.stderr).not.toContain('not-the-right-key-999');
  });

  it('exits 3 when credentials are missing, naming them', async () => {
    const result = await cioc(
      ['run', 'app.raw_http_request', '--input', '{"method":"GET","endpoint":"/x"}'],
      { env: { CIOC_REGION: 'emulator', CIOC_EMULATOR_URL: url } },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('CIOC_APP_API_KEY');
  });

  it('exits 2 on invalid input and sends nothing', async () => {
    const invalid = await cioc(
      ['run', 'track.create_or_update_customer', '--input', '{"identifier":"","attributes":{"a":{"b":1}}}'],
      { env },
    );
    expect(invalid.code).toBe(2);
    const error = (JSON.parse(invalid.stderr) as { error: { type: string; issues: { path: string }[] } })
      .error;
    expect(error.type).toBe('validation');
    expect(error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['/identifier', '/attributes/a']));
    const badJson = await cioc(['run', 'track.delete_customer', '--input', '{"identifier":'], { env });
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('not valid JSON');
    const missingFile = await cioc(['run', 'track.delete_customer', '--input', '@/no/such/file.json'], {
      env,
    });
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toContain('ENOENT');
    expect(emulator.requests).toHaveLength(0);
  });

  it.each([
    'https://evil.example/x',
    '//evil.example/x',
    '/v1/../../etc',
    '/v1/%2e%2e/x',
    '/v1/x\r\nX-Evil: 1',
    '/\\evil.example',
  ])('exits 2 on the raw endpoint %j and sends nothing', async (endpoint) => {
    const result = await cioc(
      ['run', 'track.raw_http_request', '--input', JSON.stringify({ method: 'GET', endpoint })],
      { env },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('/endpoint');
    expect(emulator.requests).toHaveLength(0);
  });

  it.each([
    [{ 'X-Bad Name': '1' }, '/headers/X-Bad Name'],
    [{ 'x-a': 'smile \u{1F600}' }, '/headers/x-a'],
    [{ 'Keep-Alive': 'timeout=5' }, '/headers/Keep-Alive'],
  ])(
    'exits 2 on the raw POST headers %j, with and without --dry-run, and sends nothing',
    async (headers, at) => {
      const input = JSON.stringify({
        method: 'POST',
        endpoint: '/v1/x',
        headers,
        body_type: 'json',
        body: {},
      });
      for (const extra of [[], ['--dry-run']]) {
        const result = await cioc(['run', 'track.raw_http_request', '--input', input, ...extra], { env });
        expect(result.code).toBe(2);
        expect(JSON.parse(result.stderr)).toMatchObject({ error: { type: 'validation' } });
        expect(result.stderr).toContain(at);
      }
      expect(emulator.requests).toHaveLength(0);
    },
  );

  it('exits 4 on an API 4xx and 5 on a 5xx or a refused connection', async () => {
    const notFound = await cioc(
      ['run', 'app.raw_http_request', '--input', '{"method":"GET","endpoint":"/campaigns/1/triggers/999"}'],
      { env },
    );
    expect(notFound.code).toBe(4);
    expect(JSON.parse(notFound.stderr)).toMatchObject({ error: { type: 'not_found', status: 404 } });
    emulator.faults.add({ status: 502, times: 10 });
    expect(
      (await cioc(['run', 'track.delete_customer', '--input', '{"identifier":"1"}'], { env })).code,
    ).toBe(5);
    const refused = await cioc(
      ['run', 'track.delete_customer', '--max-retries', '0', '--input', '{"identifier":"1"}'],
      {
        env: { ...env, CIOC_EMULATOR_URL: 'http://127.0.0.1:9' },
      },
    );
    expect(refused.code).toBe(5);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: { type: 'connection' } });
  });

  it('prints the request on --dry-run with auth redacted, and sends nothing', async () => {
    const result = await cioc(
      [
        'run',
        'track.create_or_update_customer',
        '--dry-run',
        '--input',
        '{"identifier":"42","email":"a@example.com"}',
      ],
      { env },
    );
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      request: { method: string; url: string; headers: Record<string, string>; body: unknown };
    };
    expect(printed.request).toMatchObject({
      method: 'PUT',
      url: `${url}/api/v1/customers/42`,
      body: { email: 'a@example.com' },
    });
    expect(printed.request.headers['authorization']).toBe('Basic [REDACTED]');
    expectNoSecrets(result.stdout + result.stderr);
    expect(emulator.requests).toHaveLength(0);
  });

  it('never prints a secret in --verbose logs or errors', async () => {
    const ok = await cioc(['run', 'track.delete_customer', '--verbose', '--input', '{"identifier":"1"}'], {
      env,
    });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('"status":200');
    emulator.faults.add({
      status: 500,
      times: 10,
      body: { meta: { error: `echo ${CREDENTIALS.track.apiKey}` } },
    });
    const failed = await cioc(
      ['run', 'track.delete_customer', '--verbose', '--input', '{"identifier":"1"}'],
      { env },
    );
    expect(failed.code).toBe(5);
    expect(failed.stderr).toContain('[REDACTED]');
    expectNoSecrets(ok.stdout + ok.stderr + failed.stdout + failed.stderr);
  });
});

describe('cioc ops, describe and usage', () => {
  it('lists operations as a table and as JSON', async () => {
    const table = await cioc(['ops']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^cioc track create-or-update-customer +Create or update customer +idem$/m);
    const json = JSON.parse((await cioc(['ops', '--json'])).stdout) as { id: string }[];
    const ids = json.map((o) => o.id);
    // The seed operations first, then every operation of the specs, per connector.
    expect(ids.slice(0, 3)).toEqual([
      'track.create_or_update_customer',
      'track.delete_customer',
      'track.track_custom_event',
    ]);
    expect(ids).toEqual(
      expect.arrayContaining([
        'track.raw_http_request',
        'app.raw_http_request',
        'beta.raw_http_request',
        'track.add_device',
        'track.merge_customers',
        'app.list_segments',
        'beta.list_segments',
      ]),
    );
    expect(ids.filter((id) => id.startsWith('track.'))).toHaveLength(19);
    expect(ids.filter((id) => id.startsWith('app.'))).toHaveLength(117); // 113 + inbox, in-app, WhatsApp, raw
    expect(ids.filter((id) => id.startsWith('beta.'))).toHaveLength(117);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes an operation with its schema, safety and example', async () => {
    const text = await cioc(['describe', 'track.track_custom_event']);
    expect(text.stdout).toContain('Track a custom event');
    expect(text.stdout).toContain('POST /v1/customers/{identifier}/events');
    const json = JSON.parse((await cioc(['describe', 'track.delete_customer', '--json'])).stdout) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({
      method: 'DELETE',
      safety: { idempotent: true, destructive: true, rateBucket: 'track' },
    });
    const unknown = await cioc(['describe', 'track.delete_customr']);
    expect(unknown.code).toBe(2);
    expect((JSON.parse(unknown.stderr) as { error: { message: string } }).error.message).toContain(
      'did you mean "track.delete_customer"',
    );
  });

  it('exits 2 with a JSON usage error on an unknown command or option', async () => {
    const result = await cioc(['run', 'track.delete_customer', '--nope']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toEqual({
      error: { type: 'usage', message: "unknown option '--nope'" },
    });
  });
});

/** `cioc emulator --port 0 …` as a real process: its banner, its origin, and a SIGTERM stop. */
async function startCli(
  args: string[],
): Promise<{ banner: string; origin: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const banner = await new Promise<string>((resolveBanner, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Control')) resolveBanner(out);
    });
    child.on('exit', () => {
      reject(new Error(`emulator exited: ${out}`));
    });
  });
  const origin = /listening on (http:\/\/\S+)/.exec(banner)?.[1] ?? '';
  return {
    banner,
    origin,
    stop: () =>
      new Promise((resolveExit) => {
        child.on('exit', resolveExit);
        child.kill('SIGTERM');
      }),
  };
}

describe('cioc emulator --fixtures', () => {
  it('serves catalogue answers from a file, and refuses a bad one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cioc-fixtures-'));
    const file = join(dir, 'fixtures.json');
    writeFileSync(
      file,
      JSON.stringify({ 'app.list_newsletters': { newsletters: [{ id: 3, name: 'Weekly' }], next: '' } }),
    );
    const emulatorCli = await startCli(['--fixtures', file]);
    const answer = await fetch(`${emulatorCli.origin}/v1/newsletters`, {
      headers: { authorization: `Bearer ${CREDENTIALS.app.apiKey}` },
    });
    expect(await answer.json()).toEqual({ newsletters: [{ id: 3, name: 'Weekly' }], next: '' });
    expect(await emulatorCli.stop()).toBe(0);
    writeFileSync(file, '{"app.nope": {}}');
    const bad = await cioc(['emulator', '--port', '0', '--fixtures', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown operations app.nope');
  });
});

describe('cioc emulator', () => {
  it('starts, masks keys, serves the control API and stops on SIGTERM', async () => {
    const emulatorCli = await startCli(['--app-api-key', 'custom-app-key-5678']);
    expect(emulatorCli.banner).toContain('…5678');
    expect(emulatorCli.banner).not.toContain('custom-app-key-5678');
    const { origin } = emulatorCli;
    expect(await (await fetch(`${origin}/__emulator/health`)).json()).toEqual({ ok: true });
    const unauthorized = await fetch(`${origin}/v1/customers?email=a@b.c`, {
      headers: { authorization: 'Bearer emulator-app-key' },
    });
    expect(unauthorized.status).toBe(401);
    const authorized = await fetch(`${origin}/v1/customers?email=a@b.c`, {
      headers: { authorization: 'Bearer custom-app-key-5678' },
    });
    expect(authorized.status).toBe(200);
    expect(await emulatorCli.stop()).toBe(0);
  });
});
