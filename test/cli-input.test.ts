/** Input conveniences of the generated CLI: dates, any-case choices, JSON bodies, listings, key prompts. */
import { describe, expect, it } from 'vitest';
import { cioc } from './support/cli.js';
import { emulatorEnv, useEmulator } from './support/emulator.js';
import { hasTmux, terminal } from './support/tmux.js';

const { emulator, url } = await useEmulator();
const env = emulatorEnv(url);
const dryBody = (stdout: string) =>
  (JSON.parse(stdout) as { request: { method: string; headers: Record<string, string>; body: unknown } })
    .request;

describe('input conveniences', () => {
  it('a Unix-seconds flag takes an ISO-8601 date too; a zoneless date-time is refused', async () => {
    const iso = await cioc(
      [
        'track',
        'track-custom-event',
        '--identifier',
        '1',
        '--name',
        'x',
        '--timestamp',
        '2024-05-01T12:00:00Z',
        '--dry-run',
      ],
      { env },
    );
    expect(iso.code, iso.stderr).toBe(0);
    expect(dryBody(iso.stdout).body).toMatchObject({ timestamp: 1714564800 });
    const created = await cioc(
      ['track', 'create-or-update-customer', '--identifier', '1', '--created-at', '2024-05-01', '--dry-run'],
      { env },
    );
    expect(dryBody(created.stdout).body).toMatchObject({ created_at: 1714521600 });
    const zoneless = await cioc(
      [
        'track',
        'track-custom-event',
        '--identifier',
        '1',
        '--name',
        'x',
        '--timestamp',
        '2024-05-01T12:00',
        '--dry-run',
      ],
      { env },
    );
    expect(zoneless.code).toBe(2);
    expect(zoneless.stderr).toContain('--timestamp must be Unix seconds or an ISO-8601 date');
  });

  it('choices in any case; a body without --body-type is JSON; a base path in the endpoint is refused', async () => {
    const get = await cioc(
      ['app', 'raw-http-request', '--method', 'get', '--endpoint', '/segments', '--dry-run'],
      {
        env,
      },
    );
    expect(get.code, get.stderr).toBe(0);
    expect(dryBody(get.stdout).method).toBe('GET');
    const post = await cioc(
      [
        'app',
        'raw-http-request',
        '--method',
        'post',
        '--endpoint',
        '/segments',
        '--body',
        '{"segment":{"name":"n"}}',
        '--dry-run',
      ],
      { env },
    );
    expect(post.code, post.stderr).toBe(0);
    expect(dryBody(post.stdout).headers['content-type']).toBe('application/json');
    expect(dryBody(post.stdout).body).toEqual({ segment: { name: 'n' } });
    const doubled = await cioc(
      ['app', 'raw-http-request', '--method', 'GET', '--endpoint', '/v1/campaigns/1'],
      {
        env,
      },
    );
    expect(doubled.code).toBe(2);
    expect(doubled.stderr).toContain(
      'starts with /v1, which the app base URL already ends with: use \\"/campaigns/1\\"',
    );
    expect(emulator.requests).toHaveLength(0);
  });

  it('says what is wrong with a body in the words of what was given', async () => {
    const raw = ['app', 'raw-http-request', '--endpoint', '/segments', '--dry-run'];
    const getBody = await cioc([...raw, '--method', 'GET', '--body', '{"a":1}'], { env });
    expect(getBody.code).toBe(2);
    expect(JSON.parse(getBody.stderr)).toMatchObject({
      error: {
        issues: [{ path: '/body', message: 'is not allowed with GET: a GET sends no body (--body)' }],
      },
    });
    expect(getBody.stderr).not.toContain('body_type');
    const getTyped = await cioc([...raw, '--method', 'GET', '--body', '{"a":1}', '--body-type', 'json'], {
      env,
    });
    expect(JSON.parse(getTyped.stderr)).toMatchObject({
      error: {
        issues: [
          { path: '/body_type', message: 'must be "none" for GET: a GET sends no body (--body-type)' },
        ],
      },
    });
    const text = await cioc([...raw, '--method', 'POST', '--body', 'hello'], { env });
    expect(text.code).toBe(2);
    expect(JSON.parse(text.stderr)).toMatchObject({
      error: { hint: 'To send it as text, add --body-type raw (and --content-type, default text/plain).' },
    });
    const sent = await cioc([...raw, '--method', 'POST', '--body', 'hello', '--body-type', 'raw'], { env });
    expect(sent.code, sent.stderr).toBe(0);
    expect(dryBody(sent.stdout).body).toBe('hello');
    const noAction = await cioc(
      ['track', 'send-batch', '--batch', '[{"type":"person","identifiers":{"id":"1"}}]', '--dry-run'],
      { env },
    );
    expect(noAction.code).toBe(2);
    expect(noAction.stderr).toContain(
      '/batch/0 has no \\"action\\"; with type \\"person\\", \\"action\\" is one of: identify, delete,',
    );
    expect(noAction.stderr).not.toContain('undefined');
  });

  it('--output ndjson and table on a listing show its items', async () => {
    const ids = ['a', 'b', 'c'];
    for (const id of ids) emulator.state.identify(id, { email: `${id}@example.com` });
    emulator.state.changeSegment(1, { ids }, 'id', true);
    const args = ['app', 'list-customers-in-segment', '--segment-id', '1'];
    const ndjson = await cioc([...args, '--output', 'ndjson'], { env });
    const lines = ndjson.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; email: string });
    expect(lines.map((l) => l.id)).toEqual(['a', 'b', 'c']);
    const table = await cioc([...args, '--output', 'table'], { env });
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+EMAIL\s+CIO_ID$/);
    expect(table.stdout).toMatch(/^a\s+a@example\.com\s+\S+$/m);
  });
});

describe.runIf(hasTmux)('--api-key-stdin on a terminal', () => {
  it('asks for the key without echoing it', async () => {
    const t = terminal(['app', 'list-segments', '--api-key-stdin', '--region', 'emulator'], {
      CIOC_EMULATOR_URL: url,
    });
    try {
      await t.waitFor('API key:');
      t.keys('emulator-app-key', 'Enter');
      const screen = await t.waitFor('[exit 0]');
      expect(screen).not.toContain('emulator-app-key');
      expect(screen).toContain('"segments"');
    } finally {
      t.close();
    }
  });
});
