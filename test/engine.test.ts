/**
 * The workflow engine end to end: the real emulator over loopback, a real SQLite store, the real
 * client. References, conditions, loops, on_error, per-step settings, replay, idempotency keys,
 * retention, redaction and the recorded exchanges.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunView } from '../src/engine/run-schema.js';
import { schemaIssues } from '../src/schema.js';
import type { WorkflowDocument } from '../src/workflows/document.js';
import { useEmulator, CREDENTIALS } from './support/emulator.js';
import { useEngine } from './support/engine.js';

const { emulator, url } = await useEmulator();
const h = useEngine(url);

const WELCOME: WorkflowDocument = JSON.parse(
  readFileSync(new URL('../docs/examples/welcome.workflow.json', import.meta.url), 'utf8'),
) as WorkflowDocument;

async function run(
  document: unknown,
  body: unknown = {},
  extra: { headers?: Record<string, string>; query?: Record<string, string> } = {},
) {
  const id = await h.engine.startRun({ document, ownerId: h.ownerId }, { type: 'manual', body, ...extra });
  const view = await h.engine.waitForRun(id);
  expect(schemaIssues(RunView, view)).toEqual([]);
  return view;
}

const step = (view: Awaited<ReturnType<typeof run>>, key: string) => {
  const found = view.steps.find((s) => s.key === key);
  if (found === undefined) throw new Error(`no step ${key} in ${view.steps.map((s) => s.key).join(', ')}`);
  return found;
};

describe('the example workflow', () => {
  it('upserts the person and tracks the event, recording each step', async () => {
    const view = await run(WELCOME, { id: '42', email: 'ada@example.com', plan: 'pro' });
    expect(view.status).toBe('succeeded');
    expect(view.steps.map((s) => [s.key, s.status, s.attempts])).toEqual([
      ['upsert', 'succeeded', 1],
      ['welcome', 'succeeded', 1],
    ]);
    expect(step(view, 'welcome').input).toEqual({
      identifier: '42',
      name: 'welcomed',
      data: { plan: 'pro', upsert: 'succeeded' },
    });
    const [request] = step(view, 'welcome').requests;
    expect(request?.request).toMatchObject({ method: 'POST', url: `${url}/api/v1/customers/42/events` });
    expect(request?.response?.status).toBe(200);
    const eventId = step(view, 'welcome').generated_ids[0];
    expect(view.output).toEqual({ id: eventId });
    expect(emulator.state.events).toMatchObject([
      { id: eventId, name: 'welcomed', data: { plan: 'pro', upsert: 'succeeded' } },
    ]);
    expect(emulator.state.people.find((p) => p.id === '42')?.email).toBe('ada@example.com');
  });

  it('saves a run of the same document under the same workflow, and a changed one as a new version', async () => {
    const a = await run(WELCOME, { id: '1', email: 'one@example.com', plan: 'x' });
    const b = await run(WELCOME, { id: '2', email: 'two@example.com', plan: 'x' });
    const c = await run(
      { ...WELCOME, description: 'changed' },
      { id: '3', email: 'three@example.com', plan: 'x' },
    );
    expect(b.workflow_id).toBe(a.workflow_id);
    expect(c.workflow_id).toBe(a.workflow_id);
    expect(c.workflow_version).toBe(b.workflow_version + 1);
    const versions = await h.store.listWorkflowVersions(a.workflow_id);
    expect(versions.map((v) => v.version)).toEqual([c.workflow_version, b.workflow_version]);
  });
});

describe('references', () => {
  const REFS = {
    name: 'refs',
    trigger: { type: 'manual' },
    steps: [
      {
        id: 'lookup',
        operation: 'app.get_customers_by_email',
        authentication: 'Emulator App',
        input: { email: '{{ $.trigger.query.email }}' },
      },
      {
        id: 'event',
        operation: 'track.track_custom_event',
        authentication: 'Emulator Track',
        input: {
          identifier: '{{ $.steps.lookup.output.results[0].id }}',
          name: 'seen {{ $.trigger.headers["x-source"] }} #{{ $.trigger.body.count }}',
          data: {
            count: '{{ $.trigger.body.count }}',
            tags: '{{ $.trigger.body.tags }}',
            first: '{{ $.trigger.body.tags[0] }}',
            found: '{{ $.steps.lookup.output.results }}',
            lookup: '{{ $.steps.lookup.status }}',
            missing: '{{ $.trigger.body.nothing.here }}',
            text: 'n={{ $.trigger.body.nothing }}',
          },
        },
      },
    ],
  };
  const trigger = { headers: { 'x-source': 'api' }, query: { email: 'ref@example.com' } };

  it('reads the trigger (body, headers, query), earlier outputs and statuses, exact and interpolated', async () => {
    expect((await run(WELCOME, { id: '77', email: 'ref@example.com', plan: 'p' })).status).toBe('succeeded');
    const view = await run(REFS, { count: 3, tags: ['a', 'b'] }, trigger);
    expect(view.status).toBe('succeeded');
    expect(step(view, 'event').input).toEqual({
      identifier: '77',
      name: 'seen api #3',
      data: {
        count: 3,
        tags: ['a', 'b'],
        first: 'a',
        found: [{ email: 'ref@example.com', id: '77', cio_id: expect.any(String) as string }],
        lookup: 'succeeded',
        text: 'n=',
      },
    });
  });

  it('fails a step whose resolved input is invalid, sending nothing', async () => {
    const view = await run(REFS, { count: 3, tags: [] }, trigger); // nobody has that email yet
    expect(view.status).toBe('failed');
    expect(step(view, 'event')).toMatchObject({ status: 'failed', attempts: 0, requests: [] });
    expect(step(view, 'event').error).toMatchObject({
      type: 'validation',
      issues: [{ path: '/identifier', message: 'is required' }],
    });
    expect(view.error).toMatchObject({ type: 'validation', step: 'event' });
    expect(emulator.requests.map((r) => r.path)).toEqual(['/v1/customers']);
  });
});

describe('control flow', () => {
  const conditional = (when: Record<string, unknown>) => ({
    name: `when ${JSON.stringify(when)}`,
    trigger: { type: 'manual' },
    steps: [
      {
        id: 'maybe',
        operation: 'track.create_or_update_customer',
        authentication: 'Emulator Track',
        when: { path: '$.trigger.body.value', ...when },
        input: { identifier: 'w' },
      },
    ],
  });
  it.each([
    [{ equals: 404 }, 404, 'succeeded'],
    [{ equals: 404 }, 200, 'skipped'],
    [{ not_equals: 404 }, 200, 'succeeded'],
    [{ exists: true }, 0, 'succeeded'],
    [{ exists: true }, undefined, 'skipped'],
    [{ not_exists: true }, undefined, 'succeeded'],
    [{ gt: 10 }, 11, 'succeeded'],
    [{ gt: 10 }, 10, 'skipped'],
    [{ lt: 10 }, 9, 'succeeded'],
    [{ contains: 'vip' }, 'a vip person', 'succeeded'],
    [{ contains: 'vip' }, ['x', 'vip'], 'succeeded'],
    [{ contains: 'vip' }, ['x'], 'skipped'],
  ])('when %j with %j: %s', async (when, value, expected) => {
    const view = await run(conditional(when), value === undefined ? {} : { value });
    expect(view.status).toBe('succeeded');
    expect(step(view, 'maybe').status).toBe(expected);
    expect(emulator.requests.length).toBe(expected === 'skipped' ? 0 : 1);
  });

  it('runs a loop per item with $.item and $.index, at most `concurrency` at once', async () => {
    emulator.faults.add({ path: '/api/v1/customers/*/events', delay_ms: 300, times: 6 });
    const view = await run(
      {
        name: 'loop',
        trigger: { type: 'manual' },
        steps: [
          {
            id: 'each',
            for_each: '{{ $.trigger.body.people }}',
            concurrency: 3,
            steps: [
              {
                id: 'upsert',
                operation: 'track.create_or_update_customer',
                authentication: 'Emulator Track',
                input: { identifier: '{{ $.item.id }}', attributes: { position: '{{ $.index }}' } },
              },
              {
                id: 'event',
                operation: 'track.track_custom_event',
                authentication: 'Emulator Track',
                input: {
                  identifier: '{{ $.item.id }}',
                  name: 'looped',
                  data: { after: '{{ $.steps.upsert.status }}' },
                },
              },
            ],
          },
          {
            id: 'summary',
            operation: 'track.track_custom_event',
            authentication: 'Emulator Track',
            input: { identifier: 'p0', name: 'summary', data: { ids: '{{ $.steps.each.output }}' } },
          },
        ],
      },
      { people: ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'].map((id) => ({ id })) },
    );
    expect(view.status).toBe('succeeded');
    expect(step(view, 'each[4].upsert').input).toEqual({ identifier: 'p4', attributes: { position: 4 } });
    expect(step(view, 'each[4].event')).toMatchObject({ parent: 'each', index: 4, status: 'succeeded' });
    expect(step(view, 'each').output).toHaveLength(6);
    expect(emulator.state.events.filter((e) => e.name === 'looped')).toHaveLength(6);
    // Each event is held 300 ms: three arrive together, the fourth only once one has finished.
    const arrivals = emulator.requests.filter((r) => r.path.endsWith('/events')).map((r) => r.at);
    const first = arrivals[0] ?? 0;
    expect((arrivals[2] ?? 0) - first).toBeLessThan(290);
    expect((arrivals[3] ?? 0) - first).toBeGreaterThanOrEqual(290);
    expect((step(view, 'summary').input as { data: { ids: unknown[] } }).data.ids).toHaveLength(6);
  });

  it('stops at a failed step, or goes on past it with on_error: continue', async () => {
    const doc = (onError: 'fail' | 'continue') => ({
      name: `on_error ${onError}`,
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'broken',
          operation: 'app.get_segment',
          authentication: 'Emulator App',
          on_error: onError,
          input: { segment_id: 999_999 },
        },
        {
          id: 'after',
          operation: 'track.create_or_update_customer',
          authentication: 'Emulator Track',
          when: { path: '$.steps.broken.status', equals: 'failed' },
          input: { identifier: 'after' },
        },
      ],
    });
    const stopped = await run(doc('fail'));
    expect(stopped.status).toBe('failed');
    expect(stopped.steps.map((s) => s.key)).toEqual(['broken']);
    expect(stopped.error).toMatchObject({ type: 'not_found', step: 'broken' });
    const continued = await run(doc('continue'));
    expect(continued.status).toBe('succeeded');
    expect(continued.steps.map((s) => [s.key, s.status])).toEqual([
      ['broken', 'failed'],
      ['after', 'succeeded'],
    ]);
  });

  it('branches on the HTTP status of a failed step, as the documented `when` example does', async () => {
    const docs = readFileSync(new URL('../docs/workflows.md', import.meta.url), 'utf8');
    const example = /`"when": (\{[^`]*\})`/.exec(docs)?.[1];
    expect(example).toBeDefined();
    const when = JSON.parse(example ?? '') as unknown;
    const view = await run({
      name: 'on 404',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'lookup',
          operation: 'app.get_segment',
          authentication: 'Emulator App',
          on_error: 'continue',
          input: { segment_id: 999_998 },
        },
        {
          id: 'create',
          operation: 'track.create_or_update_customer',
          authentication: 'Emulator Track',
          when,
          input: { identifier: 'on{{ $.steps.lookup.error.status }}' },
        },
        {
          id: 'never',
          operation: 'track.create_or_update_customer',
          authentication: 'Emulator Track',
          when: { path: '$.steps.lookup.error.status', equals: 500 },
          input: { identifier: 'never' },
        },
      ],
    });
    expect(view.steps.map((s) => [s.key, s.status])).toEqual([
      ['lookup', 'failed'],
      ['create', 'succeeded'],
      ['never', 'skipped'],
    ]);
    expect(step(view, 'create').input).toEqual({ identifier: 'on404' });
  });

  it('applies per-step retries and timeouts, never resending a non-deduplicable send', async () => {
    emulator.faults.add({ path: '/api/v1/customers/r', status: 503, times: 2 });
    const retried = await run({
      name: 'retries',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'once',
          operation: 'track.create_or_update_customer',
          authentication: 'Emulator Track',
          retries: 0,
          on_error: 'continue',
          input: { identifier: 'r' },
        },
        {
          id: 'twice',
          operation: 'track.create_or_update_customer',
          authentication: 'Emulator Track',
          retries: 1,
          input: { identifier: 'r' },
        },
      ],
    });
    expect(retried.steps.map((s) => [s.key, s.status, s.attempts])).toEqual([
      ['once', 'failed', 1],
      ['twice', 'succeeded', 2],
    ]);
    expect(step(retried, 'twice').requests.map((r) => r.response?.status)).toEqual([503, 200]);

    emulator.faults.add({ path: '/v1/send/email', delay_ms: 300 });
    const slow = await run({
      name: 'timeout',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'send',
          operation: 'app.send_transactional_email',
          authentication: 'Emulator App',
          timeout_ms: 50,
          retries: 5,
          input: { transactional_message_id: 1, to: 'a@example.com', identifiers: { id: '1' } },
        },
      ],
    });
    expect(step(slow, 'send')).toMatchObject({ status: 'delivery_unknown', attempts: 1 });
    expect(step(slow, 'send').requests[0]?.error).toMatch(/within 50 ms/);
    expect(slow.error).toMatchObject({ type: 'delivery_unknown', step: 'send' });
  });
});

describe('replay', () => {
  const doc = {
    name: 'replayable',
    trigger: { type: 'manual' },
    steps: [
      {
        id: 'upsert',
        operation: 'track.create_or_update_customer',
        authentication: 'Emulator Track',
        input: { identifier: '{{ $.trigger.body.id }}' },
      },
      {
        id: 'event',
        operation: 'track.track_custom_event',
        authentication: 'Emulator Track',
        input: { identifier: '{{ $.trigger.body.id }}', name: 'replayed' },
      },
      {
        id: 'segment',
        operation: 'app.get_segment',
        authentication: 'Emulator App',
        input: { segment_id: '{{ $.trigger.body.segment }}' },
      },
    ],
  };

  it('re-runs from the first failed step with the same ids, reusing earlier outputs', async () => {
    emulator.faults.add({ path: '/api/v1/customers/rp/events', status: 500, times: 4 });
    const first = await run(doc, { id: 'rp', segment: 1 });
    expect(first.steps.map((s) => [s.key, s.status])).toEqual([
      ['upsert', 'succeeded'],
      ['event', 'failed'],
    ]);
    const eventId = step(first, 'event').generated_ids[0];
    const before = emulator.requests.length;
    const replayId = await h.engine.replay(first.id);
    const replayed = await h.engine.waitForRun(replayId);
    expect(replayed).toMatchObject({ status: 'succeeded', replay_of: first.id, trigger: first.trigger });
    expect(step(replayed, 'upsert')).toMatchObject({ status: 'succeeded', reused_from: first.id });
    expect(step(replayed, 'event').generated_ids).toEqual([eventId]);
    expect(step(replayed, 'event').reused_from).toBeNull();
    // Only the failed step and the one after it were sent.
    expect(emulator.requests.slice(before).map((r) => r.path)).toEqual([
      '/api/v1/customers/rp/events',
      '/v1/segments/1',
    ]);
    expect(emulator.state.events.filter((e) => e.name === 'replayed').map((e) => e.id)).toEqual([eventId]);
  });

  it('reuses a finished loop with its iterations', async () => {
    const looped = {
      name: 'replay loop',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'each',
          for_each: '{{ $.trigger.body.ids }}',
          steps: [
            {
              id: 'upsert',
              operation: 'track.create_or_update_customer',
              authentication: 'Emulator Track',
              input: { identifier: '{{ $.item }}' },
            },
          ],
        },
        {
          id: 'segment',
          operation: 'app.get_segment',
          authentication: 'Emulator App',
          input: { segment_id: 31337 },
        },
      ],
    };
    const first = await run(looped, { ids: ['l1', 'l2'] });
    expect(first.status).toBe('failed');
    const before = emulator.requests.length;
    const replayed = await h.engine.waitForRun(await h.engine.replay(first.id));
    expect(replayed.steps.map((s) => [s.key, s.reused_from === first.id])).toEqual([
      ['each', true],
      ['each[0].upsert', true],
      ['each[1].upsert', true],
      ['segment', false],
    ]);
    expect(emulator.requests.slice(before).map((r) => r.path)).toEqual(['/v1/segments/31337']);
  });

  it('replays with the latest version, and every failed run of a time range in one call', async () => {
    const from = new Date().toISOString();
    const failedA = await run(doc, { id: 'ra', segment: 424242 });
    const failedB = await run(doc, { id: 'rb', segment: 424242 });
    expect([failedA.status, failedB.status]).toEqual(['failed', 'failed']);
    // The fix: a new version reading an existing segment.
    const fixed = {
      ...doc,
      steps: [...doc.steps.slice(0, 2), { ...doc.steps[2], input: { segment_id: 1 } }],
    };
    const saved = await h.store.saveWorkflow({
      ownerId: h.ownerId,
      document: fixed as WorkflowDocument,
      workflowId: failedA.workflow_id,
    });
    const { started: ids, skipped } = await h.engine.replayFailed(
      failedA.workflow_id,
      { from },
      { version: 'latest' },
    );
    expect(skipped).toEqual([]);
    expect(ids).toHaveLength(2);
    const views = await Promise.all(ids.map((id) => h.engine.waitForRun(id)));
    expect(views.map((v) => [v.replay_of, v.status, v.workflow_version])).toEqual([
      [failedA.id, 'succeeded', saved.version],
      [failedB.id, 'succeeded', saved.version],
    ]);
    expect(views.every((v) => step(v, 'event').reused_from !== null)).toBe(true);
  });

  it('refuses to resend a step whose delivery is unknown unless asked', async () => {
    emulator.faults.add({ path: '/v1/send/email', drop: true });
    const view = await run({
      name: 'unknown',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'send',
          operation: 'app.send_transactional_email',
          authentication: 'Emulator App',
          input: { transactional_message_id: 1, to: 'a@example.com', identifiers: { id: '1' } },
        },
      ],
    });
    expect(step(view, 'send').status).toBe('delivery_unknown');
    await expect(h.engine.replay(view.id)).rejects.toThrow(/may have been delivered.*resend_unknown/);
    const again = await h.engine.waitForRun(await h.engine.replay(view.id, { resendUnknown: true }));
    expect(step(again, 'send').status).toBe('succeeded');
  });
});

describe('replay never resends a send that cannot be deduplicated', () => {
  const send = {
    id: 'send',
    operation: 'app.send_transactional_email',
    authentication: 'Emulator App',
    input: { transactional_message_id: 1, to: 'x@example.com', identifiers: { id: 'x' } },
  };
  const emails = () => emulator.requests.filter((r) => r.path === '/v1/send/email').length;

  it('reuses a send that succeeded after a step continued past with on_error: continue', async () => {
    const view = await run({
      name: 'continued',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'lookup',
          operation: 'app.get_segment',
          authentication: 'Emulator App',
          on_error: 'continue',
          input: { segment_id: 777001 },
        },
        send,
        {
          id: 'last',
          operation: 'app.get_segment',
          authentication: 'Emulator App',
          input: { segment_id: 777002 },
        },
      ],
    });
    expect(view.steps.map((s) => [s.key, s.status])).toEqual([
      ['lookup', 'failed'],
      ['send', 'succeeded'],
      ['last', 'failed'],
    ]);
    expect(emails()).toBe(1);
    const replayed = await h.engine.waitForRun(await h.engine.replay(view.id));
    expect(emails()).toBe(1);
    expect(step(replayed, 'send')).toMatchObject({ status: 'succeeded', reused_from: view.id });
  });

  it('resumes a replay that died before its first step with the replay plan: the delivered send is reused, the event keeps its id', async () => {
    const doc = {
      name: 'replay crash',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'lookup',
          operation: 'app.get_segment',
          authentication: 'Emulator App',
          on_error: 'continue',
          input: { segment_id: 777101 },
        },
        send,
        {
          id: 'event',
          operation: 'track.track_custom_event',
          authentication: 'Emulator Track',
          retries: 0,
          input: { identifier: 'rc1', name: 'replay-crash' },
        },
      ],
    };
    emulator.faults.add({ path: '/api/v1/customers/rc1/events', status: 400, times: 1 });
    const view = await run(doc);
    expect(view.steps.map((s) => [s.key, s.status])).toEqual([
      ['lookup', 'failed'],
      ['send', 'succeeded'],
      ['event', 'failed'],
    ]);
    const eventId = step(view, 'event').generated_ids[0];
    expect(eventId).toEqual(expect.any(String));
    expect(emails()).toBe(1);
    // The replay's run record is written, then its process dies before any step ran.
    const now = new Date().toISOString();
    const replayId = '01J0000000000000000000RC01';
    await h.store.createRun({
      id: replayId,
      workflowId: view.workflow_id,
      workflowVersion: view.workflow_version,
      ownerId: h.ownerId,
      status: 'queued',
      trigger: view.trigger,
      replayOf: view.id,
      output: null,
      error: null,
      claimedBy: 'elsewhere:99:dead',
      heartbeatAt: new Date(Date.now() - 120_000).toISOString(),
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
    });
    expect(await h.engine.resumeInterrupted()).toContain(replayId);
    const resumed = await h.engine.waitForRun(replayId);
    expect(resumed.status).toBe('succeeded');
    expect(emails()).toBe(1);
    expect(step(resumed, 'send')).toMatchObject({ status: 'succeeded', reused_from: view.id });
    expect(step(resumed, 'event').generated_ids).toEqual([eventId]);
    expect(emulator.state.events.filter((e) => e.name === 'replay-crash').map((e) => e.id)).toEqual([
      eventId,
    ]);
  });

  it('does not replay a run twice once a replay of it succeeded (replay, then replayFailed)', async () => {
    const from = new Date().toISOString();
    emulator.faults.add({ path: '/v1/send/email', status: 400, times: 1 });
    const doc = { name: 'twice', trigger: { type: 'manual' }, steps: [{ ...send, retries: 0 }] };
    const view = await run(doc);
    expect(step(view, 'send').status).toBe('failed');
    const first = await h.engine.waitForRun(await h.engine.replay(view.id));
    expect(first.status).toBe('succeeded');
    expect(emails()).toBe(2);
    await expect(h.engine.replay(view.id)).rejects.toThrow(
      new RegExp(`already replayed successfully by run ${first.id}`),
    );
    const again = await h.engine.replayFailed(view.workflow_id, { from });
    expect(again).toEqual({
      started: [],
      skipped: [{ runId: view.id, reason: expect.stringMatching(/already replayed successfully/) as string }],
    });
    expect(emails()).toBe(2);
  });

  it('replays from the newest failed replay of a run, keeping what it sent', async () => {
    const doc = {
      name: 'chain',
      trigger: { type: 'manual' },
      steps: [
        send,
        {
          id: 'segment',
          operation: 'app.get_segment',
          authentication: 'Emulator App',
          input: { segment_id: 1 },
        },
      ],
    };
    emulator.faults.add({ path: '/v1/send/email', status: 400, times: 1 });
    emulator.faults.add({ path: '/v1/segments/1', status: 404, times: 2 });
    const view = await run({ ...doc, steps: [{ ...send, retries: 0 }, doc.steps[1]] });
    expect(step(view, 'send').status).toBe('failed');
    const r1 = await h.engine.waitForRun(await h.engine.replay(view.id));
    expect(r1.steps.map((s) => [s.key, s.status])).toEqual([
      ['send', 'succeeded'],
      ['segment', 'failed'],
    ]);
    const r2 = await h.engine.waitForRun(await h.engine.replay(view.id));
    expect(r2.replay_of).toBe(r1.id);
    expect(step(r2, 'send').reused_from).toBe(r1.id);
    expect(emails()).toBe(2);
  });

  it('treats a non-deduplicable step left in phase "sending" by a store failure as delivery unknown', async () => {
    const { workflow, version } = await h.store.saveWorkflow({
      ownerId: h.ownerId,
      document: { name: 'store failure', trigger: { type: 'manual' }, steps: [send] },
    });
    const now = new Date().toISOString();
    const id = '01J0000000000000000000SF01';
    await h.store.createRun({
      id,
      workflowId: workflow.id,
      workflowVersion: version,
      ownerId: h.ownerId,
      status: 'failed',
      trigger: { type: 'manual', body: {}, headers: {}, query: {} },
      replayOf: null,
      output: null,
      error: { type: 'unexpected', message: 'disk I/O error' },
      claimedBy: null,
      heartbeatAt: now,
      createdAt: now,
      startedAt: now,
      finishedAt: now,
      durationMs: 1,
    });
    await h.store.putStep({
      runId: id,
      key: 'send',
      stepId: 'send',
      parentKey: null,
      itemIndex: null,
      seq: 1,
      operation: send.operation,
      authentication: 'Emulator App',
      status: 'running',
      phase: 'sending',
      resendable: false,
      attempts: 0,
      generatedIds: [],
      input: send.input,
      output: undefined,
      error: null,
      exchanges: [],
      reusedFrom: null,
      startedAt: now,
      finishedAt: null,
      durationMs: null,
    });
    await expect(h.engine.replay(id)).rejects.toThrow(/may have been delivered.*resend_unknown/);
    expect(emails()).toBe(0);
  });

  it('replayFailed skips the runs it must refuse, with the reason, and starts the others', async () => {
    const from = new Date().toISOString();
    const doc = { name: 'mixed', trigger: { type: 'manual' }, steps: [send] };
    emulator.faults.add({ path: '/v1/send/email', drop: true });
    const unknown = await run(doc);
    expect(step(unknown, 'send').status).toBe('delivery_unknown');
    emulator.faults.add({ path: '/v1/send/email', status: 400, times: 1 });
    const failed = await run({ ...doc, steps: [{ ...send, retries: 0 }] });
    expect(step(failed, 'send').status).toBe('failed');
    const result = await h.engine.replayFailed(failed.workflow_id, { from });
    expect(result.skipped).toEqual([
      { runId: unknown.id, reason: expect.stringMatching(/may have been delivered/) as string },
    ]);
    expect(result.started).toHaveLength(1);
    expect((await h.engine.waitForRun(result.started[0] ?? '')).replay_of).toBe(failed.id);
  });
});

describe('limits', () => {
  it('refuses a 20,000-deep trigger body and a loop over more items than allowed, clearly', async () => {
    let body: unknown = 'x';
    for (let i = 0; i < 20_000; i++) body = { a: body };
    await expect(h.engine.startRun({ document: WELCOME, ownerId: h.ownerId }, { body })).rejects.toThrow(
      /trigger's body nests deeper than 64 levels/,
    );
    await expect(
      h.engine.startRun(
        { document: WELCOME, ownerId: h.ownerId },
        { body: JSON.parse('{"id":"1","__proto__":{"admin":true}}') as unknown },
      ),
    ).rejects.toThrow(/body has a "__proto__" key \(at \/__proto__\)/);
    const view = await run(
      {
        name: 'big loop',
        trigger: { type: 'manual' },
        steps: [
          {
            id: 'each',
            for_each: '{{ $.trigger.body.ids }}',
            steps: [
              {
                id: 'upsert',
                operation: 'track.create_or_update_customer',
                authentication: 'Emulator Track',
                input: { identifier: '{{ $.item }}' },
              },
            ],
          },
        ],
      },
      { ids: Array.from({ length: 10_001 }, (_, i) => i) },
    );
    expect(step(view, 'each').error?.message).toMatch(/has 10001 items; a loop takes at most 10000/);
    expect(emulator.requests).toHaveLength(0);
  });
});

describe('idempotency keys and retention', () => {
  it('starts at most one run per key', async () => {
    const first = await h.engine.startRun(
      { document: WELCOME, ownerId: h.ownerId },
      { body: { id: 'k', email: 'k@example.com', plan: 'p' } },
      { idempotencyKey: 'evt-1' },
    );
    const second = await h.engine.startRun(
      { document: WELCOME, ownerId: h.ownerId },
      { body: { id: 'k', email: 'k@example.com', plan: 'p' } },
      { idempotencyKey: 'evt-1' },
    );
    expect(second).toBe(first);
    await h.engine.waitForRun(first);
    expect(emulator.state.events).toHaveLength(1);
  });

  it('prunes finished runs beyond the newest N per workflow', async () => {
    const doc = { ...WELCOME, name: 'pruned' };
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push((await run(doc, { id: `p${String(i)}`, email: 'p@example.com', plan: 'p' })).id);
    const { createEngine } = await import('../src/engine/engine.js');
    const pruner = createEngine({
      store: h.store,
      authentications: {
        resolve: () => {
          throw new Error('unused');
        },
      },
      retention: { keepRuns: 2 },
    });
    const workflowId = (await h.engine.getRun(ids[0] ?? ''))?.workflow_id ?? '';
    expect(await pruner.prune()).toBeGreaterThanOrEqual(2);
    await pruner.close();
    expect((await h.store.listRuns({ workflowId })).map((r) => r.id)).toEqual([ids[3], ids[2]]);
    expect(await h.engine.getRun(ids[0] ?? '')).toBeUndefined();
  });
});

describe('what a run records', () => {
  it('keeps no secret anywhere in the SQLite files, even one echoed back or pasted into a trigger', async () => {
    const view = await run(
      {
        name: 'secrets',
        trigger: { type: 'manual' },
        steps: [
          {
            id: 'raw',
            operation: 'app.raw_http_request',
            authentication: 'Emulator App',
            input: {
              method: 'GET',
              endpoint: '/segments/1',
              query_parameters: { k: '{{ $.trigger.body.key }}' },
            },
          },
          {
            id: 'event',
            operation: 'track.track_custom_event',
            authentication: 'Emulator Track',
            input: { identifier: 's', name: 'secret', data: { site: '{{ $.trigger.body.site }}' } },
          },
        ],
      },
      { key: CREDENTIALS.app.apiKey, site: CREDENTIALS.track.siteId, nested: [CREDENTIALS.track.apiKey] },
    );
    expect(view.status).toBe('succeeded');
    expect(step(view, 'raw').requests[0]?.request.url).toContain('k=%5BREDACTED%5D');
    expect(JSON.stringify(view)).toContain('[REDACTED]');
    const secrets = [
      CREDENTIALS.app.apiKey,
      CREDENTIALS.track.apiKey,
      CREDENTIALS.track.siteId,
      Buffer.from(`${CREDENTIALS.track.siteId}:${CREDENTIALS.track.apiKey}`).toString('base64'),
    ];
    const text = JSON.stringify(view);
    for (const secret of secrets) expect(text).not.toContain(secret);
    h.auth.database.pragma('wal_checkpoint(TRUNCATE)');
    for (const file of readdirSync(h.home).filter((f) => f.startsWith('cioc.db'))) {
      const bytes = readFileSync(join(h.home, file));
      for (const secret of secrets)
        expect(bytes.includes(Buffer.from(secret)), `${secret} in ${file}`).toBe(false);
    }
  });

  it('keeps large bodies up to the limit and marks them truncated', async () => {
    const big = 'x'.repeat(90_000);
    const view = await run({
      name: 'big',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'event',
          operation: 'track.track_custom_event',
          authentication: 'Emulator Track',
          input: { identifier: 'b', name: 'big', data: { big } },
        },
      ],
    });
    const request = step(view, 'event').requests[0]?.request;
    expect(request?.body_truncated).toBe(true);
    expect(request?.body_size).toBeGreaterThan(90_000);
    expect(emulator.state.events.find((e) => e.name === 'big')?.data).toEqual({ big });
    expect(String(request?.body)).toHaveLength(64 * 1024);
  });
});

describe('scheduling', () => {
  it('runs several runs at once, up to the engine’s concurrency', async () => {
    const { createEngine } = await import('../src/engine/engine.js');
    const { authStoreResolver } = await import('../src/engine/authentications.js');
    const engine = createEngine({
      store: h.store,
      authentications: authStoreResolver(h.auth),
      concurrency: 2,
      client: { emulatorUrl: url },
    });
    emulator.faults.add({ path: '/api/v1/customers/c*', delay_ms: 300, times: 4 });
    const doc = {
      name: 'concurrent',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'upsert',
          operation: 'track.create_or_update_customer',
          authentication: 'Emulator Track',
          input: { identifier: '{{ $.trigger.body.id }}' },
        },
      ],
    };
    const ids = [];
    for (const id of ['c1', 'c2', 'c3', 'c4'])
      ids.push(await engine.startRun({ document: doc, ownerId: h.ownerId }, { body: { id } }));
    const views = await Promise.all(ids.map((id) => engine.waitForRun(id)));
    await engine.close();
    expect(views.map((v) => v.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    // Two at a time: the third request arrives only after one of the first two was answered.
    const arrivals = emulator.requests.map((r) => r.at);
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeLessThan(290);
    expect((arrivals[2] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(290);
  });

  it('resumes a run whose engine stopped beating, and leaves one a live engine holds', async () => {
    const { createEngine } = await import('../src/engine/engine.js');
    const { authStoreResolver } = await import('../src/engine/authentications.js');
    const { workflow, version } = await h.store.saveWorkflow({
      ownerId: h.ownerId,
      document: { ...WELCOME, name: 'orphans' },
    });
    const base = {
      workflowId: workflow.id,
      workflowVersion: version,
      ownerId: h.ownerId,
      status: 'running' as const,
      trigger: {
        type: 'manual',
        body: { id: 'o1', email: 'o@example.com', plan: 'x' },
        headers: {},
        query: {},
      },
      replayOf: null,
      output: null,
      error: null,
      createdAt: new Date().toISOString(),
      startedAt: new Date().toISOString(),
      finishedAt: null,
      durationMs: null,
    };
    const stale = new Date(Date.now() - 120_000).toISOString();
    await h.store.createRun({
      ...base,
      id: '01J000000000000000000000S1',
      claimedBy: 'elsewhere:1:a',
      heartbeatAt: stale,
    });
    await h.store.createRun({
      ...base,
      id: '01J000000000000000000000S2',
      claimedBy: 'elsewhere:2:b',
      heartbeatAt: new Date().toISOString(),
    });
    const engine = createEngine({
      store: h.store,
      authentications: authStoreResolver(h.auth),
      client: { emulatorUrl: url },
    });
    expect(await engine.resumeInterrupted()).toEqual(['01J000000000000000000000S1']);
    expect((await engine.waitForRun('01J000000000000000000000S1')).status).toBe('succeeded');
    expect((await engine.getRun('01J000000000000000000000S2'))?.status).toBe('running');
    await engine.close();
  });

  it('on close, finishes the runs it started and leaves queued ones queued for a later resume', async () => {
    const { createEngine } = await import('../src/engine/engine.js');
    const { authStoreResolver } = await import('../src/engine/authentications.js');
    const engine = createEngine({
      store: h.store,
      authentications: authStoreResolver(h.auth),
      concurrency: 1,
      client: { emulatorUrl: url },
    });
    emulator.faults.add({ path: '/api/v1/customers/q1', delay_ms: 200 });
    const doc = { ...WELCOME, name: 'closing' };
    const first = await engine.startRun(
      { document: doc, ownerId: h.ownerId },
      { body: { id: 'q1', email: 'q@example.com' } },
    );
    const second = await engine.startRun(
      { document: doc, ownerId: h.ownerId },
      { body: { id: 'q2', email: 'q@example.com' } },
    );
    const waiting = engine.waitForRun(second);
    await engine.close();
    expect((await waiting).status).toBe('queued');
    expect((await h.store.getRun(first))?.status).toBe('succeeded');
    expect(emulator.requests.map((r) => r.path)).toEqual([
      '/api/v1/customers/q1',
      '/api/v1/customers/q1/events',
    ]);
  });

  it('runs as the user who started it: their Personal authentications, never the owner’s', async () => {
    const { createEngine } = await import('../src/engine/engine.js');
    const { authStoreResolver } = await import('../src/engine/authentications.js');
    const { AuthStore } = await import('../src/store/auth-store.js');
    const bob = AuthStore.open({ home: h.home, user: 'b@example.com', env: {} });
    h.auth.create({
      name: 'Shared Track',
      connector: 'track',
      scope: 'organisational',
      region: 'emulator',
      credentials: CREDENTIALS.track,
    });
    const engine = createEngine({
      store: h.store,
      authentications: {
        resolve: (ownerId, name, connector) =>
          authStoreResolver(ownerId === bob.userId ? bob : h.auth).resolve(ownerId, name, connector),
      },
      client: { emulatorUrl: url },
    });
    const personal = await h.store.saveWorkflow({
      ownerId: h.ownerId,
      document: { ...WELCOME, name: 'alice only' },
    });
    const shared = await h.store.saveWorkflow({
      ownerId: h.ownerId,
      document: {
        ...WELCOME,
        name: 'team-app',
        steps: WELCOME.steps.map((s) => ({ ...s, authentication: 'Shared Track' })),
      },
    });
    const body = { id: 'bob', email: 'bob@example.com', plan: 'x' };
    const refused = await engine.waitForRun(
      await engine.startRun({ workflowId: personal.workflow.id, runAs: bob.userId }, { body }),
    );
    expect(refused.status).toBe('failed');
    expect(refused.steps[0]?.error).toMatchObject({
      type: 'config',
      message: expect.stringContaining(
        'No authentication named "Emulator Track" is visible to user "b@example.com"',
      ) as string,
    });
    expect(emulator.requests).toHaveLength(0);
    const allowed = await engine.waitForRun(
      await engine.startRun({ workflowId: shared.workflow.id, runAs: bob.userId }, { body }),
    );
    expect(allowed.status).toBe('succeeded');
    await engine.close();
    bob.close();
  });
});

describe('a run taken over by another engine', () => {
  it('stops the old engine before it sends anything: one delivery, one final record', async () => {
    const { createEngine } = await import('../src/engine/engine.js');
    const { authStoreResolver } = await import('../src/engine/authentications.js');
    const make = () =>
      createEngine({
        store: h.store,
        authentications: authStoreResolver(h.auth),
        client: { emulatorUrl: url },
        staleAfterMs: 0,
      });
    const paused = make();
    const resumer = make();
    // The first step hangs (a paused process); the second is a send that cannot be deduplicated.
    emulator.faults.add({ path: '/api/v1/customers/t1', delay_ms: 400 });
    const doc = {
      name: 'takeover',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'upsert',
          operation: 'track.create_or_update_customer',
          authentication: 'Emulator Track',
          input: { identifier: 't1' },
        },
        {
          id: 'send',
          operation: 'app.send_transactional_email',
          authentication: 'Emulator App',
          input: { transactional_message_id: 1, to: 't@example.com', identifiers: { id: 't1' } },
        },
      ],
    };
    const runId = await paused.startRun({ document: doc, ownerId: h.ownerId });
    while (!emulator.requests.some((r) => r.path === '/api/v1/customers/t1'))
      await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 20));
    expect(await resumer.resumeInterrupted()).toContain(runId);
    const done = await resumer.waitForRun(runId);
    expect(done.status).toBe('succeeded');
    await paused.close();
    expect(emulator.requests.filter((r) => r.path === '/v1/send/email')).toHaveLength(1);
    const after = await resumer.getRun(runId);
    expect(after?.status).toBe('succeeded');
    expect(after?.steps.map((s) => [s.key, s.status])).toEqual([
      ['upsert', 'succeeded'],
      ['send', 'succeeded'],
    ]);
    await resumer.close();
  });
});
