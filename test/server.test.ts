/** `cioc serve` end to end: the real server on loopback, the real emulator, real SQLite. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CREDENTIALS, useEmulator } from './support/emulator.js';
import { startServer, TRACK_AUTH } from './support/server.js';

const { emulator, url: emulatorUrl } = await useEmulator();
const api = await startServer({ emulatorUrl });
const ada = await api.user('ada@example.com');
const bob = await api.user('bob@example.com');
const pluck = (list: unknown, key: string): unknown[] =>
  (list as Record<string, unknown>[]).map((item) => item[key]);
const example = JSON.parse(readFileSync('docs/examples/welcome.workflow.json', 'utf8')) as Record<
  string,
  unknown
>;

const adaAuth = await api.call('POST', '/api/authentications', { token: ada.token, body: TRACK_AUTH });

describe('the example workflow through the API', () => {
  it('is saved, run with wait, and read back as the run the engine recorded', async () => {
    expect(adaAuth.status).toBe(201);
    const saved = await api.call('POST', '/api/workflows', { token: ada.token, body: example });
    expect(saved.status).toBe(201);
    expect(saved.json).toMatchObject({
      name: 'Welcome a new customer',
      owner: 'ada@example.com',
      version: 1,
      visibility: 'private',
      trigger: { type: 'manual' },
    });
    const id = saved.json.id as string;

    const run = await api.call('POST', `/api/workflows/${id}/runs?wait=true`, {
      token: ada.token,
      body: { id: '42', email: 'ada@example.com', plan: 'pro' },
    });
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({
      workflow_id: id,
      status: 'succeeded',
      trigger: { type: 'manual', body: { id: '42' } },
    });
    expect((run.json.steps as { id: string; status: string }[]).map((s) => [s.id, s.status])).toEqual([
      ['upsert', 'succeeded'],
      ['welcome', 'succeeded'],
    ]);
    expect(emulator.state.people.find((p) => p.id === '42')?.email).toBe('ada@example.com');
    expect(emulator.state.events.filter((e) => e.name === 'welcomed')).toHaveLength(1);

    const read = await api.call('GET', `/api/runs/${run.json.id as string}`, { token: ada.token });
    expect(read.status).toBe(200);
    expect(read.json).toEqual(await api.server.services.engine.getRun(run.json.id as string));
    expect(read.json.steps[1].requests[0].request.headers.authorization).toMatch(
      /^Basic \[REDACTED\]$|REDACTED/,
    );

    const queued = await api.call('POST', `/api/workflows/${id}/runs`, {
      token: ada.token,
      body: { id: '43', email: 'b@example.com' },
    });
    expect(queued.status).toBe(202);
    expect(queued.json).toMatchObject({ status: 'queued', url: `/api/runs/${queued.json.id as string}` });
    await api.server.services.engine.waitForRun(queued.json.id as string);

    const page1 = await api.call('GET', `/api/workflows/${id}/runs?limit=1`, { token: ada.token });
    expect(page1.json.runs).toHaveLength(1);
    expect(page1.json.runs[0].id).toBe(queued.json.id);
    expect(page1.json.runs[0]).not.toHaveProperty('steps');
    const page2 = await api.call(
      'GET',
      `/api/workflows/${id}/runs?limit=1&before=${page1.json.next as string}`,
      { token: ada.token },
    );
    expect(pluck(page2.json.runs, 'id')).toEqual([run.json.id]);
    expect(page2.json.next).toBeNull();

    const changed = await api.call('PUT', `/api/workflows/${id}`, {
      token: ada.token,
      body: { ...example, description: 'v2' },
    });
    expect(changed.json.version).toBe(2);
    const versions = await api.call('GET', `/api/workflows/${id}/versions`, { token: ada.token });
    expect(pluck(versions.json.versions, 'version')).toEqual([2, 1]);
    expect(versions.json.versions[0].created_by).toBe('ada@example.com');

    const list = await api.call('GET', '/api/workflows', { token: ada.token });
    expect(pluck(list.json.workflows, 'id')).toContain(id);

    const replay = await api.call('POST', `/api/runs/${run.json.id as string}/replay`, {
      token: ada.token,
      body: { wait: true },
    });
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({ replay_of: run.json.id, status: 'succeeded' });
  });

  it('replays the failed runs of a range once, and says which it skipped and why', async () => {
    const saved = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: { ...example, name: 'Fails once' },
    });
    const id = saved.json.id as string;
    emulator.faults.add({ status: 400, times: 1 });
    const failed = await api.call('POST', `/api/workflows/${id}/runs?wait=true`, {
      token: ada.token,
      body: { id: '77', email: 'f@example.com' },
    });
    expect(failed.json.status).toBe('failed');

    const first = await api.call('POST', `/api/workflows/${id}/runs/replay`, { token: ada.token, body: {} });
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ skipped: [] });
    expect(first.json.ids).toHaveLength(1);
    const replayed = await api.server.services.engine.waitForRun(first.json.ids[0] as string);
    expect(replayed.status).toBe('succeeded');

    const again = await api.call('POST', `/api/workflows/${id}/runs/replay`, { token: ada.token, body: {} });
    expect(again.status).toBe(202);
    expect(again.json.ids).toEqual([]);
    expect(again.json.skipped).toEqual([
      { run_id: failed.json.id, reason: expect.stringContaining('already replayed') as string },
    ]);
  });

  it('refuses to replay a run that has not finished (409)', async () => {
    const saved = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: { ...example, name: 'Slow' },
    });
    emulator.faults.add({ delay_ms: 400, times: 1 });
    const started = await api.call('POST', `/api/workflows/${saved.json.id as string}/runs`, {
      token: ada.token,
      body: { id: '9', email: 'slow@example.com' },
    });
    const replay = await api.call('POST', `/api/runs/${started.json.id as string}/replay`, {
      token: ada.token,
      body: {},
    });
    expect(replay.status).toBe(409);
    expect(replay.json.error).toMatchObject({
      type: 'conflict',
      message: expect.stringContaining('only a finished run') as string,
    });
    await api.server.services.engine.waitForRun(started.json.id as string);
  });

  it('refuses an invalid document with every problem and its pointer', async () => {
    const bad = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: {
        ...example,
        steps: [{ id: 'x', operation: 'track.nope', authentication: 'Emulator Track', input: {} }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.type).toBe('validation');
    expect(bad.json.error.issues[0].path).toBe('/steps/0/operation');
  });
});

describe('access', () => {
  it("hides another user's workflows and runs (404), and refuses their Personal authentication", async () => {
    const saved = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: { ...example, name: 'Private' },
    });
    const id = saved.json.id as string;
    const run = await api.call('POST', `/api/workflows/${id}/runs?wait=true`, {
      token: ada.token,
      body: { id: '7', email: 'x@example.com' },
    });
    for (const [method, path] of [
      ['GET', `/api/workflows/${id}`],
      ['PUT', `/api/workflows/${id}`],
      ['DELETE', `/api/workflows/${id}`],
      ['GET', `/api/workflows/${id}/versions`],
      ['POST', `/api/workflows/${id}/runs`],
      ['GET', `/api/workflows/${id}/runs`],
      ['GET', `/api/runs/${run.json.id as string}`],
      ['POST', `/api/runs/${run.json.id as string}/replay`],
      ['GET', `/api/authentications/${adaAuth.json.id as string}`],
      ['POST', `/api/authentications/${adaAuth.json.id as string}/test`],
      ['DELETE', `/api/authentications/${adaAuth.json.id as string}`],
    ] as const) {
      const answer = await api.call(method, path, {
        token: bob.token,
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: method === 'PUT' ? example : {} }),
      });
      expect([method, path, answer.status]).toEqual([method, path, 404]);
    }
    expect(
      pluck((await api.call('GET', '/api/workflows', { token: bob.token })).json.workflows, 'id'),
    ).not.toContain(id);
    expect(
      (await api.call('GET', '/api/authentications', { token: bob.token })).json.authentications,
    ).toEqual([]);

    // Its owner can delete it, with its runs.
    expect((await api.call('DELETE', `/api/workflows/${id}`, { token: ada.token })).json).toEqual({
      id,
      deleted: true,
    });
    expect((await api.call('GET', `/api/workflows/${id}`, { token: ada.token })).status).toBe(404);
    expect((await api.call('GET', `/api/runs/${run.json.id as string}`, { token: ada.token })).status).toBe(
      404,
    );

    // Bob cannot save a workflow that uses Ada's Personal authentication.
    const borrowed = await api.call('POST', '/api/workflows', { token: bob.token, body: example });
    expect(borrowed.status).toBe(400);
    expect(pluck(borrowed.json.error.issues, 'path')).toContain('/steps/0/authentication');
  });

  it('shares a workflow with the organisation: members see and run it with their own authentications, only the owner (or an admin) changes it', async () => {
    const saved = await api.call('POST', '/api/workflows?visibility=organisation', {
      token: ada.token,
      body: { ...example, name: 'Shared' },
    });
    expect(saved.json.visibility).toBe('organisation');
    const id = saved.json.id as string;
    expect((await api.call('GET', `/api/workflows/${id}`, { token: bob.token })).status).toBe(200);
    const change = await api.call('PUT', `/api/workflows/${id}`, { token: bob.token, body: example });
    expect(change.status).toBe(403);

    // Sharing the workflow shares no secret: Bob's run cannot use Ada's Personal authentication…
    const before = emulator.state.events.length;
    const refused = await api.call('POST', `/api/workflows/${id}/runs?wait=true`, {
      token: bob.token,
      body: { id: '8', email: 'y@example.com' },
    });
    expect(refused.json.status).toBe('failed');
    expect(refused.json.steps[0].error.message).toMatch(/Emulator Track/);
    expect(emulator.state.events.length).toBe(before);
    // …and a replay Bob starts runs as Bob too.
    const replay = await api.call('POST', `/api/runs/${refused.json.id as string}/replay`, {
      token: bob.token,
      body: { wait: true },
    });
    expect(replay.json.status).toBe('failed');

    // With an Organisational authentication the shared workflow runs for every member.
    const team = await api.call('POST', '/api/authentications', {
      token: ada.token,
      body: { ...TRACK_AUTH, name: 'Team Track', scope: 'organisational' },
    });
    expect(team.status).toBe(201);
    const steps = (example['steps'] as Record<string, unknown>[]).map((s) => ({
      ...s,
      authentication: 'Team Track',
    }));
    const updated = await api.call('PUT', `/api/workflows/${id}`, {
      token: ada.token,
      body: { ...example, name: 'Shared', steps },
    });
    expect(updated.status, updated.text).toBe(200);
    const run = await api.call('POST', `/api/workflows/${id}/runs?wait=true`, {
      token: bob.token,
      body: { id: '8', email: 'y@example.com' },
    });
    expect(run.json.status).toBe('succeeded');
    expect(pluck(run.json.steps, 'status')).toEqual(['succeeded', 'succeeded']);
  });
});

describe('an admin changing a member’s shared workflow', () => {
  it("may not save steps that use the owner's Personal authentication, only Organisational ones", async () => {
    const bobAuth = await api.call('POST', '/api/authentications', {
      token: bob.token,
      body: { ...TRACK_AUTH, name: 'Bob Track' },
    });
    expect(bobAuth.status).toBe(201);
    const steps = (example['steps'] as Record<string, unknown>[]).map((s) => ({
      ...s,
      authentication: 'Bob Track',
    }));
    const shared = await api.call('POST', '/api/workflows?visibility=organisation', {
      token: bob.token,
      body: { ...example, name: 'Bob shares', steps },
    });
    expect(shared.status, shared.text).toBe(201);
    const id = shared.json.id as string;
    const edited = await api.call('PUT', `/api/workflows/${id}`, {
      token: ada.token,
      body: { ...example, name: 'Bob shares', steps },
    });
    expect(edited.status).toBe(400);
    expect(edited.json.error.issues).toEqual([
      {
        path: '/steps/0/authentication',
        message: expect.stringMatching(/"Bob Track" is bob@example\.com's Personal authentication/) as string,
      },
      { path: '/steps/1/authentication', message: expect.any(String) as string },
    ]);
    const organisational = await api.call('POST', '/api/authentications', {
      token: ada.token,
      body: { ...TRACK_AUTH, name: 'Org Track', scope: 'organisational' },
    });
    expect(organisational.status).toBe(201);
    const fixed = await api.call('PUT', `/api/workflows/${id}`, {
      token: ada.token,
      body: {
        ...example,
        name: 'Bob shares',
        steps: steps.map((s) => ({ ...s, authentication: 'Org Track' })),
      },
    });
    expect(fixed.status, fixed.text).toBe(200);
    // Nor may she leave the authentication out: the step would use Bob's default, maybe Personal.
    const unnamed = await api.call('PUT', `/api/workflows/${id}`, {
      token: ada.token,
      body: {
        ...example,
        name: 'Bob shares',
        steps: steps.map(({ authentication: _dropped, ...s }) => s),
      },
    });
    expect(unnamed.status).toBe(400);
    expect(unnamed.json.error.issues[0]).toEqual({
      path: '/steps/0/authentication',
      message: expect.stringMatching(/is required when someone other than its owner/) as string,
    });
    // Its owner still may use his own.
    const own = await api.call('PUT', `/api/workflows/${id}`, {
      token: bob.token,
      body: { ...example, name: 'Bob shares', steps },
    });
    expect(own.status, own.text).toBe(200);
  });
});

describe('HTTP hygiene', () => {
  it('needs a valid bearer token on /api (except health and the docs)', async () => {
    expect((await api.call('GET', '/api/health')).json).toMatchObject({ ok: true });
    const none = await api.call('GET', '/api/workflows');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(none.json.error.type).toBe('unauthorized');
    expect((await api.call('GET', '/api/workflows', { token: 'cioc_not-a-token' })).status).toBe(401);
    const revoked = await api.server.services.accounts.createToken(ada.id, 'short-lived');
    await api.server.services.accounts.revokeToken(ada.id, revoked.id);
    expect((await api.call('GET', '/api/workflows', { token: revoked.token })).status).toBe(401);
  });

  it('tries further authenticators after the bearer token (where the console plugs in sessions)', async () => {
    const other = await startServer({
      emulatorUrl,
      authenticators: [
        async (request) => {
          if (request.headers['x-test-session'] !== 'let-me-in') return undefined;
          const user = await other.server.services.accounts.findByEmail('carol@example.com');
          return user === undefined ? undefined : { user, via: 'session' };
        },
      ],
    });
    await other.user('carol@example.com');
    const list = await other.call('GET', '/api/workflows', { headers: { 'x-test-session': 'let-me-in' } });
    expect(list.status).toBe(200);
    expect((await other.call('GET', '/api/workflows', { headers: { 'x-test-session': 'no' } })).status).toBe(
      401,
    );
  });

  it('answers bad JSON, oversized bodies, wrong media types and unknown routes with clean 4xx JSON', async () => {
    const badJson = await api.call('POST', '/api/workflows', { token: ada.token, raw: '{"name": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.json.error.type).toBe('bad_json');
    const big = await api.call('POST', '/api/workflows', {
      token: ada.token,
      raw: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(big.json.error.type).toBe('payload_too_large');
    const text = await api.call('POST', '/api/workflows', {
      token: ada.token,
      raw: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const unknown = await api.call('GET', '/api/nothing-here', { token: ada.token });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toEqual({ type: 'not_found', message: 'No route GET /api/nothing-here' });
    const badQuery = await api.call('GET', '/api/workflows/x/runs?limit=0', { token: ada.token });
    expect(badQuery.status).toBe(400);
    expect(badQuery.json.error.type).toBe('validation');
    const badAuth = await api.call('POST', '/api/authentications', {
      token: ada.token,
      body: { ...TRACK_AUTH, extra: 1 },
    });
    expect(badAuth.status).toBe(400);
    for (const r of [badJson, big, text, unknown, badQuery, badAuth])
      expect(r.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  });

  it('describes itself: OpenAPI from the route table, and a docs page', async () => {
    const doc = await api.call('GET', '/api/openapi.json');
    expect(doc.json.openapi).toBe('3.1.0');
    for (const r of api.server.routes) {
      const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      expect(doc.json.paths[path]?.[r.method.toLowerCase()], `${r.method} ${path}`).toBeDefined();
    }
    expect(
      doc.json.paths['/api/runs/{id}'].get.responses['200'].content['application/json'].schema.title,
    ).toBe('Run');
    expect(doc.text).not.toContain('cioc-workflow-step"');
    const refs = [...doc.text.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.json.components.schemas[ref.split('/').at(-1) ?? ''], ref).toBeDefined();
    }

    const page = await api.call('GET', '/api/docs');
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('/api/workflows/:id/runs');
  });
});

describe('registry and authentications', () => {
  it('serves the operations, one with its schemas, and the connectors by display name', async () => {
    const ops = await api.call('GET', '/api/operations', { token: ada.token });
    expect(ops.json.operations.length).toBeGreaterThan(240);
    const one = await api.call('GET', '/api/operations/track.create_or_update_customer', {
      token: ada.token,
    });
    expect(one.json).toMatchObject({
      connector: 'track',
      version: '2.0',
      title: 'Create or update customer',
      safety: { idempotent: true },
    });
    expect(one.json.input_schema.properties.identifier).toBeDefined();
    expect((await api.call('GET', '/api/operations/track.nope', { token: ada.token })).status).toBe(404);
    const connectors = await api.call('GET', '/api/connectors', { token: ada.token });
    expect(pluck(connectors.json.connectors, 'name')).toEqual([
      'Customer.io - Track',
      'Customer.io - App',
      'Customer.io - Beta',
    ]);
  });

  it('creates, tests, updates and deletes authentications by id, never returning a secret', async () => {
    const created = await api.call('POST', '/api/authentications', {
      token: bob.token,
      body: {
        name: 'Bob App',
        connector: 'app',
        region: 'emulator',
        credentials: { api_key: CREDENTIALS.app.apiKey },
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'Bob App',
      scope: 'personal',
      owner: 'bob@example.com',
      key: `…${CREDENTIALS.app.apiKey.slice(-4)}`,
    });
    const id = created.json.id as string;
    const test = await api.call('POST', `/api/authentications/${id}/test`, { token: bob.token });
    expect(test.json).toMatchObject({ ok: true });
    const updated = await api.call('PUT', `/api/authentications/${id}`, {
      token: bob.token,
      body: { name: 'Bob App 2', is_default: true },
    });
    expect(updated.json).toMatchObject({ name: 'Bob App 2', is_default: true, last_test: { ok: true } });
    expect((await api.call('DELETE', `/api/authentications/${id}`, { token: bob.token })).json).toEqual({
      id,
      deleted: true,
    });
    expect((await api.call('GET', `/api/authentications/${id}`, { token: bob.token })).status).toBe(404);
  });

  it('never shows a credential in any answer it gave', () => {
    const secrets = [
      CREDENTIALS.track.apiKey,
      CREDENTIALS.app.apiKey,
      Buffer.from(`${CREDENTIALS.track.siteId}:${CREDENTIALS.track.apiKey}`).toString('base64'),
    ];
    expect(api.seen.length).toBeGreaterThan(20);
    for (const text of api.seen) for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
