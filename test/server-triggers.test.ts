/** Triggers end to end: webhook, Customer.io reporting webhook and schedule, on the real server. */
import { createHmac } from 'node:crypto';
import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { createServer } from '../src/server/server.js';
import { ManualClock } from '../src/server/triggers/clock.js';
import { signWebhook } from '../src/webhooks/verify.js';
import { freshHome } from './support/cli.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';
import { startServer, TRACK_AUTH } from './support/server.js';

const { emulator, url: emulatorUrl } = await useEmulator();
const api = await startServer({ emulatorUrl });
const ada = await api.user('ada@example.com');
const bob = await api.user('bob@example.com');
await api.call('POST', '/api/authentications', { token: ada.token, body: TRACK_AUTH });

const eventStep = (name: string, data: unknown = {}) => ({
  id: 'track',
  operation: 'track.track_custom_event',
  authentication: 'Emulator Track',
  input: { identifier: '42', name, data },
});

async function save(trigger: Record<string, unknown>, name = `W ${String(Math.random())}`) {
  const saved = await api.call('POST', '/api/workflows', {
    token: ada.token,
    body: {
      name,
      trigger,
      steps: [eventStep('hooked', { got: '{{ $.trigger.body }}', q: '{{ $.trigger.query.source }}' })],
    },
  });
  expect(saved.status, saved.text).toBe(201);
  const id = saved.json.id as string;
  const hook = new URL(saved.json.trigger.webhook_url as string).pathname;
  return { id, hook, saved };
}

const runsOf = async (workflowId: string) => api.server.services.workflows.listRuns({ workflowId });

describe('webhook trigger', () => {
  it('starts a run from a public URL with its token; a wrong token or a workflow without the trigger is a 404', async () => {
    const { id, hook } = await save({ type: 'webhook' });
    expect(hook).toMatch(new RegExp(`^/hooks/${id}/[A-Za-z0-9_-]{43}$`));
    const started = await api.call('POST', `${hook}?source=crm`, {
      body: { plan: 'pro' },
      headers: { 'x-custom': 'yes' },
    });
    expect(started.status).toBe(202);
    const run = await api.server.services.engine.waitForRun(started.json.id as string);
    expect(run.status).toBe('succeeded');
    expect(run.trigger).toMatchObject({
      type: 'webhook',
      body: { plan: 'pro' },
      query: { source: 'crm' },
      headers: { 'x-custom': 'yes' },
    });
    expect(emulator.state.events.at(-1)).toMatchObject({
      name: 'hooked',
      data: { got: { plan: 'pro' }, q: 'crm' },
    });

    expect((await api.call('POST', `/hooks/${id}/${'A'.repeat(43)}`, { body: {} })).status).toBe(404);
    expect((await api.call('POST', `/hooks/${id}/short`, { body: {} })).status).toBe(404);
    const manual = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: { name: 'Manual', trigger: { type: 'manual' }, steps: [eventStep('m')] },
    });
    const token = hook.split('/').at(-1) ?? '';
    expect((await api.call('POST', `/hooks/${manual.json.id as string}/${token}`, { body: {} })).status).toBe(
      404,
    );
    expect(await runsOf(id)).toHaveLength(1);
  });

  it('rotates the token: the old URL is a 404 at once, the new one starts runs; only its owner may rotate', async () => {
    const { id, hook } = await save({ type: 'webhook' });
    expect((await api.call('POST', `/api/workflows/${id}/webhook-token`, { token: bob.token })).status).toBe(
      404,
    );
    const rotated = await api.call('POST', `/api/workflows/${id}/webhook-token`, { token: ada.token });
    expect(rotated.status, rotated.text).toBe(200);
    const fresh = new URL(rotated.json.webhook_url as string).pathname;
    expect(fresh).toMatch(new RegExp(`^/hooks/${id}/[A-Za-z0-9_-]{43}$`));
    expect(fresh).not.toBe(hook);
    expect((await api.call('POST', hook, { body: {} })).status).toBe(404);
    expect((await api.call('POST', fresh, { body: {} })).status).toBe(202);
    const shown = await api.call('GET', `/api/workflows/${id}`, { token: ada.token });
    expect(new URL(shown.json.trigger.webhook_url as string).pathname).toBe(fresh);
    const manual = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: { name: `Manual ${String(Math.random())}`, trigger: { type: 'manual' }, steps: [eventStep('m')] },
    });
    const refused = await api.call('POST', `/api/workflows/${manual.json.id as string}/webhook-token`, {
      token: ada.token,
    });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/manual trigger; only webhook triggers have a token/);
  });

  it('shows the webhook URL only to those who may change the workflow, not every member it is shared with', async () => {
    const shared = await api.call('POST', '/api/workflows?visibility=organisation', {
      token: ada.token,
      body: {
        name: `Shared hook ${String(Math.random())}`,
        trigger: { type: 'webhook' },
        steps: [eventStep('s')],
      },
    });
    expect(shared.status, shared.text).toBe(201);
    expect(shared.json.trigger.webhook_url).toEqual(expect.any(String));
    const seen = await api.call('GET', `/api/workflows/${shared.json.id as string}`, { token: bob.token });
    expect(seen.status).toBe(200);
    expect(seen.json.trigger).toEqual({ type: 'webhook' });
    const listed = await api.call('GET', '/api/workflows', { token: bob.token });
    const item = (listed.json.workflows as { id: string; trigger: unknown }[]).find(
      (w) => w.id === shared.json.id,
    );
    expect(item?.trigger).toEqual({ type: 'webhook' });
  });

  it('starts at most one run per Idempotency-Key', async () => {
    const { id, hook } = await save({ type: 'webhook' });
    const first = await api.call('POST', hook, { body: { n: 1 }, headers: { 'idempotency-key': 'order-1' } });
    const again = await api.call('POST', hook, { body: { n: 2 }, headers: { 'idempotency-key': 'order-1' } });
    const other = await api.call('POST', hook, { body: { n: 3 }, headers: { 'idempotency-key': 'order-2' } });
    expect(first.status).toBe(202);
    expect(again.json).toEqual({ id: first.json.id, status: 'queued', duplicate: true });
    expect(other.json.id).not.toBe(first.json.id);
    expect(await runsOf(id)).toHaveLength(2);
  });

  it('starts one run for concurrent deliveries with the same Idempotency-Key', async () => {
    const { id, hook } = await save({ type: 'webhook' });
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        api.call('POST', hook, { body: { n }, headers: { 'idempotency-key': 'burst' } }),
      ),
    );
    expect(new Set(answers.map((a) => a.json.id as string)).size).toBe(1);
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(await runsOf(id)).toHaveLength(1);
  });

  it('answers 500 run_failed, naming the run and the step, when a when_finished run fails', async () => {
    const saved = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: {
        name: 'Fails',
        trigger: { type: 'webhook', respond: 'when_finished' },
        steps: [{ ...eventStep('x'), input: { identifier: '{{ $.trigger.body.id }}', name: 'x' } }],
      },
    });
    const hook = new URL(saved.json.trigger.webhook_url as string).pathname;
    const answer = await api.call('POST', hook, { body: { no: 'id' } });
    expect(answer.status).toBe(500);
    expect(answer.json.error).toMatchObject({
      type: 'run_failed',
      step: 'track',
      run_id: expect.any(String) as string,
    });
    const run = await api.call('GET', `/api/runs/${answer.json.error.run_id as string}`, {
      token: ada.token,
    });
    expect(run.json.steps[0]).toMatchObject({ status: 'failed', error: { type: 'validation' } });
  });

  it('answers with the run output when the trigger says respond when_finished', async () => {
    const { hook } = await save({ type: 'webhook', respond: 'when_finished' });
    const answer = await api.call('POST', hook, { body: { plan: 'pro' } });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ id: expect.any(String) as string });
    expect(answer.headers.get('x-cioc-run-id')).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('checks a shared-secret HMAC of the body; the secret is write-only', async () => {
    const secret = 'a shared secret of some length';
    const { id, hook, saved } = await save({ type: 'webhook', secret });
    expect(saved.json.document.trigger.secret).toBe('[REDACTED]');
    expect(saved.text).not.toContain(secret);
    const body = JSON.stringify({ plan: 'pro' });
    const sign = (text: string, key = secret) =>
      `sha256=${createHmac('sha256', key).update(text).digest('hex')}`;
    expect((await api.call('POST', hook, { raw: body })).status).toBe(401);
    const wrong = await api.call('POST', hook, {
      raw: body,
      headers: { 'x-signature-256': sign(body, 'another secret!') },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.type).toBe('unauthorized');
    expect(await runsOf(id)).toHaveLength(0);
    const good = await api.call('POST', hook, { raw: body, headers: { 'x-signature-256': sign(body) } });
    expect(good.status).toBe(202);
    // Saving the document as it was read keeps the secret.
    const resaved = await api.call('PUT', `/api/workflows/${id}`, {
      token: ada.token,
      body: { ...saved.json.document, description: 'v2' },
    });
    expect(resaved.json.version).toBe(2);
    expect(
      (await api.call('POST', hook, { raw: body, headers: { 'x-signature-256': sign(body) } })).status,
    ).toBe(202);
    expect(await runsOf(id)).toHaveLength(2);
    const versions = await api.call('GET', `/api/workflows/${id}/versions`, { token: ada.token });
    expect(versions.text).not.toContain(secret);
    expect(versions.text).not.toContain('sealed');
  });
});

describe('customerio_webhook trigger', () => {
  const signingKey = 'cio-signing-key-0123456789';
  const delivery = (event: unknown, options: { at?: number; key?: string } = {}) => {
    const body = JSON.stringify(event);
    const at = options.at ?? Math.floor(Date.now() / 1000);
    return {
      raw: body,
      headers: {
        'x-cio-timestamp': String(at),
        'x-cio-signature': signWebhook(options.key ?? signingKey, at, body),
      },
    };
  };
  const event = (eventId: string) => ({
    event_id: eventId,
    object_type: 'email',
    metric: 'delivered',
    timestamp: 1,
    data: { customer_id: '42' },
  });

  it('runs once per signed event; unsigned, wrongly signed and stale deliveries get 401 and start nothing', async () => {
    const { id, hook } = await save({ type: 'customerio_webhook', signing_key: signingKey });
    const ok = await api.call('POST', hook, delivery(event('01EV1')));
    expect(ok.status).toBe(202);
    const run = await api.server.services.engine.waitForRun(ok.json.id as string);
    expect(run.trigger).toMatchObject({
      type: 'customerio_webhook',
      body: { event_id: '01EV1', metric: 'delivered' },
    });
    expect(run.trigger.headers).not.toHaveProperty('x-cio-signature');

    const duplicate = await api.call('POST', hook, delivery(event('01EV1')));
    expect(duplicate.json).toEqual({ id: ok.json.id, status: 'queued', duplicate: true });

    const unsigned = await api.call('POST', hook, { body: event('01EV2') });
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.error.reason).toBe('missing_headers');
    const forged = await api.call('POST', hook, delivery(event('01EV3'), { key: 'not the key at all' }));
    expect(forged.json.error.reason).toBe('bad_signature');
    const stale = await api.call(
      'POST',
      hook,
      delivery(event('01EV4'), { at: Math.floor(Date.now() / 1000) - 3600 }),
    );
    expect(stale.status).toBe(401);
    expect(stale.json.error.reason).toBe('stale');
    expect(await runsOf(id)).toHaveLength(1);
  });

  it("runs on the emulator's own signed reporting webhooks, end to end", async () => {
    const saved = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: {
        name: 'On email sent',
        trigger: { type: 'customerio_webhook', signing_key: emulator.state.workspace.webhookSigningKey },
        steps: [
          {
            id: 'note',
            operation: 'track.track_custom_event',
            authentication: 'Emulator Track',
            input: {
              identifier: '{{ $.trigger.body.data.recipient }}',
              name: 'email_{{ $.trigger.body.metric }}',
            },
          },
        ],
      },
    });
    const id = saved.json.id as string;
    emulator.state.webhooks.set(1, {
      id: 1,
      name: 'workflow',
      endpoint: saved.json.trigger.webhook_url as string,
      events: ['email_sent'],
      disabled: false,
    });
    const app = createClient({
      connector: 'app',
      region: 'emulator',
      emulatorUrl,
      credentials: CREDENTIALS.app,
      rateLimits: false,
    });
    await app.sendTransactionalEmail({
      transactional_message_id: 7,
      identifiers: { id: '42' },
      to: 'loop@example.com',
    });
    await app.close();
    let runs = await runsOf(id);
    for (let i = 0; i < 200 && (runs.length === 0 || runs[0]?.status !== 'succeeded'); i++) {
      await new Promise((r) => setTimeout(r, 25));
      runs = await runsOf(id);
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'succeeded',
      trigger: { type: 'customerio_webhook', body: { metric: 'sent' } },
    });
    expect(emulator.state.events.filter((e) => e.name === 'email_sent')).toHaveLength(1);
    expect(emulator.webhookSender.log[0]).toMatchObject({ status: 'delivered' });
  });

  it('needs a signing key to be saved', async () => {
    const saved = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: { name: 'No key', trigger: { type: 'customerio_webhook' }, steps: [eventStep('x')] },
    });
    expect(saved.status).toBe(400);
    expect(saved.json.error.issues).toEqual([
      { path: '/trigger/signing_key', message: expect.stringContaining('required') as string },
    ]);
  });
});

describe('schedule trigger', () => {
  it('fires on the cron in its time zone (injectable clock); ticks missed while down are reported, not run', async () => {
    const home = freshHome();
    const cron = '*/5 * * * *';
    const start = Date.now();
    const ticks = new Cron(cron, { timezone: 'Europe/Paris', paused: true })
      .nextRuns(6, new Date(start))
      .map((d) => d.getTime());
    const clock = new ManualClock(start);
    const call = async (origin: string, method: string, path: string, token: string, body?: unknown) => {
      const response = await fetch(`${origin}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };

    const first = await createServer({ home, env: {}, emulatorUrl, clock, warn: () => undefined });
    const origin = await first.listen({ port: 0 });
    const user = await first.services.accounts.createUser({
      email: 'sched@example.com',
      password: 'a long password',
    });
    const { token } = await first.services.accounts.createToken(user.id);
    await call(origin, 'POST', '/api/authentications', token, TRACK_AUTH);
    const saved = await call(origin, 'POST', '/api/workflows', token, {
      name: 'Every five minutes',
      trigger: { type: 'schedule', cron, timezone: 'Europe/Paris' },
      steps: [eventStep('ticked', { at: '{{ $.trigger.body.scheduled_at }}' })],
    });
    const id = saved['id'] as string;
    expect(saved['trigger'].schedule).toMatchObject({
      next_run_at: new Date(ticks[0] ?? 0).toISOString(),
      missed: [],
    });

    await clock.advance((ticks[0] ?? 0) - start - 1);
    expect(await first.services.workflows.listRuns({ workflowId: id })).toHaveLength(0);
    await clock.advance(1);
    const [run] = await first.services.workflows.listRuns({ workflowId: id });
    expect(run?.trigger.body).toMatchObject({ scheduled_at: new Date(ticks[0] ?? 0).toISOString() });
    expect((await first.services.engine.waitForRun(run?.id ?? '')).status).toBe('succeeded');
    await first.close();

    // Down across three ticks; up again just after the fourth.
    const warnings: Record<string, unknown>[] = [];
    await clock.advance((ticks[3] ?? 0) - clock.now() + 1000);
    const second = await createServer({
      home,
      env: {},
      emulatorUrl,
      clock,
      warn: (_m, details) => warnings.push(details),
    });
    try {
      const origin2 = await second.listen({ port: 0 });
      expect(warnings).toEqual([
        {
          workflow_id: id,
          first: new Date(ticks[1] ?? 0).toISOString(),
          last: new Date(ticks[3] ?? 0).toISOString(),
          count: 3,
        },
      ]);
      const shown = await call(origin2, 'GET', `/api/workflows/${id}`, token);
      expect(shown['trigger'].schedule).toMatchObject({
        next_run_at: new Date(ticks[4] ?? 0).toISOString(),
        missed: [
          {
            first: new Date(ticks[1] ?? 0).toISOString(),
            last: new Date(ticks[3] ?? 0).toISOString(),
            count: 3,
          },
        ],
      });
      expect(await second.services.workflows.listRuns({ workflowId: id })).toHaveLength(1);
      await clock.advance((ticks[4] ?? 0) - clock.now());
      expect(await second.services.workflows.listRuns({ workflowId: id })).toHaveLength(2);
    } finally {
      await second.close();
    }
    // A third start reports nothing new.
    const third = await createServer({
      home,
      env: {},
      emulatorUrl,
      clock,
      warn: (_m, details) => warnings.push(details),
    });
    await third.close();
    expect(warnings).toHaveLength(1);
  });

  it('follows a workflow when its trigger changes or it is deleted', async () => {
    const schedule = { type: 'schedule', cron: '0 0 1 1 *', timezone: 'UTC' };
    const saved = await api.call('POST', '/api/workflows', {
      token: ada.token,
      body: { name: 'Yearly', trigger: schedule, steps: [eventStep('y')] },
    });
    const id = saved.json.id as string;
    expect(saved.json.trigger.schedule.next_run_at).toMatch(/-01-01T00:00:00.000Z$/);
    const manual = await api.call('PUT', `/api/workflows/${id}`, {
      token: ada.token,
      body: { name: 'Yearly', trigger: { type: 'manual' }, steps: [eventStep('y')] },
    });
    expect(manual.json.trigger).toEqual({ type: 'manual' });
    expect(await api.server.services.scheduler.status(id)).toBeUndefined();
    await api.call('PUT', `/api/workflows/${id}`, {
      token: ada.token,
      body: { name: 'Yearly', trigger: schedule, steps: [eventStep('y')] },
    });
    expect(await api.server.services.scheduler.status(id)).toBeDefined();
    await api.call('DELETE', `/api/workflows/${id}`, { token: ada.token });
    expect(await api.server.services.scheduler.status(id)).toBeUndefined();
  });

  it('refuses a bad cron or time zone when saved', async () => {
    const saved = await api.call('POST', '/api/workflows', {
      token: bob.token,
      body: {
        name: 'Bad',
        trigger: { type: 'schedule', cron: 'every day', timezone: 'Mars/Base' },
        steps: [{ id: 'x', operation: 'track.track_custom_event', input: { identifier: '1', name: 'n' } }],
      },
    });
    expect(saved.status).toBe(400);
    expect(saved.json.error.issues).toContainEqual({
      path: '/trigger/timezone',
      message: expect.stringContaining('IANA') as string,
    });
  });
});
