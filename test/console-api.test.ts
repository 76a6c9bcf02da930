/**
 * The console's HTTP contract on a real server over loopback with real SQLite: setup, sign-in and
 * its limits, the session cookie and its CSRF rules, members, tokens, what a member may see.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { browser } from './support/browser.js';
import { useEmulator } from './support/emulator.js';
import { startServer, TRACK_AUTH } from './support/server.js';

const { url: emulatorUrl } = await useEmulator();
const example = JSON.parse(readFileSync('docs/examples/welcome.workflow.json', 'utf8')) as Record<
  string,
  unknown
>;
const PASSWORD = 'a long password';
/** A JSON array of objects from an answer, typed for the fields a test reads. */
const items = <T>(value: unknown): T[] => value as T[];

describe('setup', () => {
  it('is required until the first account exists, makes it an admin, and happens once even when raced', async () => {
    const api = await startServer({ emulatorUrl });
    expect((await api.call('GET', '/api/setup')).json).toEqual({ required: true });
    // A CLI-only user (a name, no email, no password) does not count.
    api.server.services.authFor(
      (await api.server.services.accounts.findByEmail('x@example.com'))?.id ??
        (api.server.services.connection.db
          .prepare("INSERT INTO users (name, created_at) VALUES ('cli-only', '2025-01-01T00:00:00Z')")
          .run().lastInsertRowid as number),
    );
    expect((await api.call('GET', '/api/setup')).json).toEqual({ required: true });
    const short = await api.call('POST', '/api/setup', {
      body: { email: 'a@example.com', password: 'short' },
    });
    expect(short.status).toBe(400);

    const racers = [1, 2, 3, 4].map(() => browser(api));
    const answers = await Promise.all(
      racers.map((b, i) =>
        b.call('POST', '/api/setup', {
          body: { email: `user${String(i)}@example.com`, password: PASSWORD, name: `User ${String(i)}` },
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    const winner = answers.findIndex((a) => a.status === 201);
    const won = answers[winner];
    expect(won?.json.user).toEqual({
      id: expect.any(Number),
      email: `user${String(winner)}@example.com`,
      name: `User ${String(winner)}`,
      role: 'admin',
    });
    expect(won?.json.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(answers.find((a) => a.status === 409)?.json.error.type).toBe('conflict');

    const admin = racers[winner];
    expect(admin?.setCookie).toMatch(
      /^cioc_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/,
    );
    const members = await admin?.call('GET', '/api/members');
    expect(members?.json.members).toHaveLength(1);
    expect(members?.json.members[0]).toMatchObject({ role: 'admin', created_at: expect.any(String) });
    expect((await api.call('GET', '/api/setup')).json).toEqual({ required: false });
    const again = await api.call('POST', '/api/setup', {
      body: { email: 'late@example.com', password: PASSWORD },
    });
    expect(again.status).toBe(409);
  });

  it('is not offered once a user made with `cioc user create` (an email and a password) exists', async () => {
    const api = await startServer({ emulatorUrl });
    await api.user('cli@example.com');
    expect((await api.call('GET', '/api/setup')).json).toEqual({ required: false });
    expect(
      (await api.call('POST', '/api/setup', { body: { email: 'x@example.com', password: PASSWORD } })).status,
    ).toBe(409);
  });
});

describe('sessions', () => {
  it('signs in, reaches an existing route with the cookie, and signs out on the server too', async () => {
    const api = await startServer({ emulatorUrl });
    const ada = await api.user('ada@example.com');
    const b = browser(api);
    const wrong = await b.login('ada@example.com', 'not the password');
    const unknown = await b.login('nobody@example.com', 'not the password');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.json).toEqual(unknown.json);
    expect(b.cookie).toBeUndefined();

    const signedIn = await b.login('ADA@example.com');
    expect(signedIn.status).toBe(200);
    expect(signedIn.json.user).toEqual({
      id: ada.id,
      email: 'ada@example.com',
      name: 'ada@example.com',
      role: 'admin',
    });
    const session = await b.call('GET', '/api/session');
    expect(session.json).toEqual(signedIn.json);
    const list = await b.call('GET', '/api/workflows');
    expect(list.status).toBe(200);
    expect(list.json).toEqual({ workflows: [] });

    const rows = (): unknown[] => api.server.services.connection.db.prepare('SELECT * FROM sessions').all();
    expect(JSON.stringify(rows())).not.toContain(b.cookie?.split('=')[1]);
    expect((await b.call('DELETE', '/api/session', { csrf: false })).status).toBe(403);
    expect(rows()).toHaveLength(1);
    const cookie = b.cookie;
    const out = await b.call('DELETE', '/api/session');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(
      /^cioc_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/,
    );
    expect(rows()).toHaveLength(0);
    // The old cookie, replayed, opens nothing.
    const replayed = await api.call('GET', '/api/workflows', { headers: { cookie: cookie ?? '' } });
    expect(replayed.status).toBe(401);
    expect((await api.call('GET', '/api/session', { headers: { cookie: cookie ?? '' } })).status).toBe(401);
  });

  it('refuses sessions idle past 12 hours or older than 7 days', async () => {
    const api = await startServer({ emulatorUrl });
    await api.user('ada@example.com');
    const b = browser(api);
    await b.login('ada@example.com');
    const db = api.server.services.connection.db;
    expect((await b.call('GET', '/api/session')).status).toBe(200);
    db.prepare('UPDATE sessions SET last_seen_at = ?').run(
      new Date(Date.now() - 12 * 3600_000 - 1000).toISOString(),
    );
    expect((await b.call('GET', '/api/workflows')).status).toBe(401);
    expect(db.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });

    await b.login('ada@example.com');
    db.prepare('UPDATE sessions SET expires_at = ?').run(new Date(Date.now() - 1000).toISOString());
    expect((await b.call('GET', '/api/session')).status).toBe(401);
  });

  it('CSRF: a state-changing request with the cookie needs the token, and no cross-site origin; bearer calls are not concerned', async () => {
    const api = await startServer({ emulatorUrl });
    const ada = await api.user('ada@example.com');
    await api.call('POST', '/api/authentications', { token: ada.token, body: TRACK_AUTH });
    const b = browser(api);
    await b.login('ada@example.com');
    const post = (options: { csrf?: string | false; headers?: Record<string, string> }) =>
      b.call('POST', '/api/workflows', { body: example, ...options });

    const none = await post({ csrf: false });
    expect(none.status).toBe(403);
    expect(none.json.error.type).toBe('csrf');
    expect((await post({ csrf: 'x'.repeat(43) })).status).toBe(403);
    const crossOrigin = await post({ headers: { origin: 'https://evil.example' } });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.json.error.message).toMatch(/Cross-site/);
    expect((await post({ headers: { origin: 'null' } })).status).toBe(403);
    expect((await post({ headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await api.call('GET', '/api/workflows', { token: ada.token })).json.workflows).toEqual([]);

    const ok = await post({ headers: { 'sec-fetch-site': 'same-origin' } });
    expect(ok.status).toBe(201);
    // Another session's token does not fit this one.
    const other = browser(api);
    await other.login('ada@example.com');
    expect((await post({ csrf: other.csrf ?? '' })).status).toBe(403);

    const bearer = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: { ...example, name: 'By token' },
      headers: { origin: 'https://evil.example' },
    });
    expect(bearer.status).toBe(201);
    // Sign-in from another site is refused too (no login CSRF).
    const crossLogin = await api.call('POST', '/api/session', {
      body: { email: 'ada@example.com', password: PASSWORD },
      headers: { origin: 'https://evil.example' },
    });
    expect(crossLogin.status).toBe(403);
    expect(crossLogin.headers.get('set-cookie')).toBeNull();
  });

  it('limits sign-in failures per email (429 + Retry-After) without locking out anyone else; a success resets', async () => {
    const api = await startServer({ emulatorUrl });
    await api.user('ada@example.com');
    await api.user('bob@example.com');
    await api.user('cy@example.com');
    const b = browser(api);
    for (let i = 0; i < 5; i++)
      expect((await b.login('ada@example.com', `guess ${String(i)}`)).status).toBe(401);
    const limited = await b.login('ada@example.com');
    expect(limited.status).toBe(429);
    expect(limited.json.error.type).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(b.cookie).toBeUndefined();
    expect((await b.login('bob@example.com')).status).toBe(200);

    // A success forgets the email's failures.
    for (let i = 0; i < 4; i++) expect((await b.login('cy@example.com', 'wrong password')).status).toBe(401);
    expect((await b.login('cy@example.com')).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await b.login('cy@example.com', 'wrong password')).status).toBe(401);
    expect((await b.login('cy@example.com')).status).toBe(200);
  });

  it('limits sign-in attempts per IP across emails', async () => {
    const api = await startServer({
      emulatorUrl,
      loginLimits: {
        perEmail: { attempts: 5, windowSeconds: 900 },
        perIp: { attempts: 3, windowSeconds: 60 },
      },
    });
    await api.user('ada@example.com');
    const b = browser(api);
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com'])
      expect((await b.login(email, 'wrong password')).status).toBe(401);
    const limited = await b.login('ada@example.com');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });
});

describe('members and tokens', () => {
  it('lets admins manage members, members only look; the last admin stays; removal ends sessions and tokens', async () => {
    const api = await startServer({ emulatorUrl });
    const admin = browser(api);
    const setup = await admin.call('POST', '/api/setup', {
      body: { email: 'ada@example.com', password: PASSWORD, name: 'Ada' },
    });
    const adaId = setup.json.user.id as number;
    const created = await admin.call('POST', '/api/members', {
      body: { email: 'Bob@Example.com', password: PASSWORD, role: 'member', name: 'Bob' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.any(Number),
      email: 'bob@example.com',
      name: 'Bob',
      role: 'member',
    });
    const bobId = created.json.id as number;
    const duplicate = await admin.call('POST', '/api/members', {
      body: { email: 'bob@example.com', password: PASSWORD, role: 'member' },
    });
    expect(duplicate.status).toBe(409);

    const bob = browser(api);
    expect((await bob.login('bob@example.com')).status).toBe(200);
    const list = await bob.call('GET', '/api/members');
    expect(items<{ email: string; role: string }>(list.json.members).map((m) => [m.email, m.role])).toEqual([
      ['ada@example.com', 'admin'],
      ['bob@example.com', 'member'],
    ]);
    const bobAdds = await bob.call('POST', '/api/members', {
      body: { email: 'eve@example.com', password: PASSWORD, role: 'admin' },
    });
    expect(bobAdds.status).toBe(403);
    expect(
      (await bob.call('PATCH', `/api/members/${String(bobId)}`, { body: { role: 'admin' } })).status,
    ).toBe(403);
    expect((await bob.call('DELETE', `/api/members/${String(adaId)}`)).status).toBe(403);

    const demoteSelf = await admin.call('PATCH', `/api/members/${String(adaId)}`, {
      body: { role: 'member' },
    });
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.json.error.message).toMatch(/last admin/);
    expect((await admin.call('DELETE', `/api/members/${String(adaId)}`)).status).toBe(409);
    expect((await admin.call('PATCH', '/api/members/999', { body: { role: 'admin' } })).status).toBe(404);

    // Two admins: either may be demoted, then the other is the last.
    const promoted = await admin.call('PATCH', `/api/members/${String(bobId)}`, { body: { role: 'admin' } });
    expect(promoted.json).toMatchObject({ id: bobId, role: 'admin' });
    expect(
      (await bob.call('PATCH', `/api/members/${String(adaId)}`, { body: { role: 'member' } })).status,
    ).toBe(200);
    expect(
      (await bob.call('PATCH', `/api/members/${String(bobId)}`, { body: { role: 'member' } })).status,
    ).toBe(409);
    expect(
      (await bob.call('PATCH', `/api/members/${String(adaId)}`, { body: { role: 'admin' } })).status,
    ).toBe(200);

    // Bob's token and session end with his membership.
    const token = await bob.call('POST', '/api/tokens', { body: { name: 'laptop' } });
    expect(token.status).toBe(201);
    expect((await api.call('GET', '/api/workflows', { token: token.json.token as string })).status).toBe(200);
    expect((await admin.call('DELETE', `/api/members/${String(bobId)}`)).status).toBe(204);
    expect((await bob.call('GET', '/api/workflows')).status).toBe(401);
    expect((await api.call('GET', '/api/workflows', { token: token.json.token as string })).status).toBe(401);
    expect((await bob.login('bob@example.com')).status).toBe(401);
    expect((await admin.call('GET', '/api/members')).json.members).toHaveLength(1);
    expect((await admin.call('DELETE', `/api/members/${String(bobId)}`)).status).toBe(404);
  });

  it("lists, creates (shown once) and revokes the caller's own tokens", async () => {
    const api = await startServer({ emulatorUrl });
    await api.user('ada@example.com');
    const bob = await api.user('bob@example.com');
    const b = browser(api);
    await b.login('ada@example.com');
    const created = await b.call('POST', '/api/tokens', { body: { name: 'ci' } });
    expect(created.json).toEqual({
      id: expect.any(String),
      name: 'ci',
      token: expect.stringMatching(/^cioc_/),
    });
    const list = await b.call('GET', '/api/tokens');
    expect(list.text).not.toContain(created.json.token);
    const mine = items<{ id: string }>(list.json.tokens).find((t) => t.id === created.json.id);
    expect(mine).toEqual({
      id: created.json.id,
      name: 'ci',
      created_at: expect.any(String),
      last_used_at: null,
      revoked_at: null,
    });
    // Bob's token is not Ada's to see or revoke.
    const bobs = await api.call('GET', '/api/tokens', { token: bob.token });
    const bobTokenId = bobs.json.tokens[0].id as string;
    expect(items<{ id: string }>(list.json.tokens).map((t) => t.id)).not.toContain(bobTokenId);
    expect((await b.call('DELETE', `/api/tokens/${bobTokenId}`)).status).toBe(404);
    expect((await b.call('DELETE', `/api/tokens/${created.json.id as string}`)).status).toBe(204);
    expect((await api.call('GET', '/api/workflows', { token: created.json.token as string })).status).toBe(
      401,
    );
    expect((await api.call('GET', '/api/workflows', { token: bob.token })).status).toBe(200);
  });
});

describe('what a member sees through the session', () => {
  it("shares Organisational authentications and workflows, never another member's Personal ones", async () => {
    const api = await startServer({ emulatorUrl });
    const ada = await api.user('ada@example.com');
    await api.user('bob@example.com');
    const personal = await api.call('POST', '/api/authentications', { token: ada.token, body: TRACK_AUTH });
    const shared = await api.call('POST', '/api/authentications', {
      token: ada.token,
      body: { ...TRACK_AUTH, name: 'team-track', scope: 'organisational' },
    });
    const mine = await api.call('POST', '/api/workflows', { token: ada.token, body: example });
    const ours = await api.call('POST', '/api/workflows?visibility=organisation', {
      token: ada.token,
      body: {
        ...example,
        name: 'Shared',
        steps: (example['steps'] as unknown[]).map((s) => ({
          ...(s as object),
          authentication: 'team-track',
        })),
      },
    });
    expect([personal.status, shared.status, mine.status, ours.status]).toEqual([201, 201, 201, 201]);

    const bob = browser(api);
    await bob.login('bob@example.com');
    const auths = await bob.call('GET', '/api/authentications');
    expect(items<{ name: string }>(auths.json.authentications).map((a) => a.name)).toEqual(['team-track']);
    expect((await bob.call('GET', `/api/authentications/${personal.json.id as string}`)).status).toBe(404);
    expect((await bob.call('GET', `/api/authentications/${shared.json.id as string}`)).status).toBe(200);
    const workflows = await bob.call('GET', '/api/workflows');
    expect(items<{ name: string }>(workflows.json.workflows).map((w) => w.name)).toEqual(['Shared']);
    expect((await bob.call('GET', `/api/workflows/${mine.json.id as string}`)).status).toBe(404);
    expect((await bob.call('GET', `/api/workflows/${ours.json.id as string}`)).status).toBe(200);
    // Shared is not changeable by a member who does not own it.
    expect((await bob.call('DELETE', `/api/workflows/${ours.json.id as string}`)).status).toBe(403);
  });

  it('lists workflows with their trigger type and last run', async () => {
    const api = await startServer({ emulatorUrl });
    const ada = await api.user('ada@example.com');
    await api.call('POST', '/api/authentications', { token: ada.token, body: TRACK_AUTH });
    const saved = await api.call('POST', '/api/workflows', { token: ada.token, body: example });
    const never = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: { ...example, name: 'Never run' },
    });
    const first = await api.call('POST', `/api/workflows/${saved.json.id as string}/runs?wait=true`, {
      token: ada.token,
      body: { id: '1', email: 'one@example.com' },
    });
    const second = await api.call('POST', `/api/workflows/${saved.json.id as string}/runs?wait=true`, {
      token: ada.token,
      body: { id: '2', email: 'two@example.com' },
    });
    expect([first.json.status, second.json.status]).toEqual(['succeeded', 'succeeded']);
    const list = await api.call('GET', '/api/workflows', { token: ada.token });
    const byId = new Map(items<{ id: string }>(list.json.workflows).map((w) => [w.id, w]));
    expect(byId.get(saved.json.id as string)).toMatchObject({
      trigger_type: 'manual',
      last_run: { id: second.json.id, status: 'succeeded', created_at: second.json.created_at },
    });
    expect(byId.get(never.json.id as string)).toMatchObject({ trigger_type: 'manual', last_run: null });
  });
});

describe('console configuration and the API description', () => {
  it('tells the console the regions and the emulator, without a login', async () => {
    const api = await startServer({ emulatorUrl });
    expect((await api.call('GET', '/api/console/config')).json).toEqual({
      regions: ['us', 'eu', 'emulator'],
      emulatorUrl,
      version: expect.any(String),
    });
    const none = await startServer({});
    expect((await none.call('GET', '/api/console/config')).json.emulatorUrl).toBeNull();
  });

  it('documents the console routes in /api/openapi.json, with the session as a way in', async () => {
    const api = await startServer({ emulatorUrl });
    const doc = (await api.call('GET', '/api/openapi.json')).json;
    for (const [path, method] of [
      ['/api/setup', 'post'],
      ['/api/session', 'post'],
      ['/api/session', 'delete'],
      ['/api/members', 'get'],
      ['/api/members/{id}', 'patch'],
      ['/api/tokens/{id}', 'delete'],
      ['/api/console/config', 'get'],
    ] as const)
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    expect(doc.components.securitySchemes.session).toMatchObject({ in: 'cookie', name: 'cioc_session' });
    expect(doc.paths['/api/workflows'].get.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(
      doc.paths['/api/setup'].post.requestBody.content['application/json'].schema.properties.password,
    ).toMatchObject({ minLength: 10, maxLength: 200 });
  });
});
