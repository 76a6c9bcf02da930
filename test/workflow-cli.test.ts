/**
 * `cioc workflow` end to end: the real binary in child processes, a real SQLite store, the
 * emulator over loopback. Includes a run killed with SIGKILL in the middle of a step and resumed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RunView } from '../src/engine/view.js';
import { RunView as RunViewSchema } from '../src/engine/run-schema.js';
import { schemaIssues } from '../src/schema.js';
import { AuthStore } from '../src/store/auth-store.js';
import { WorkflowStore } from '../src/store/workflow-store.js';
import { BIN, cioc, freshHome } from './support/cli.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();
const EXAMPLE = resolve(import.meta.dirname, '../docs/examples/welcome.workflow.json');
const USER = 'a@example.com';

function homeWithAuthentications(): string {
  const home = freshHome();
  const store = AuthStore.open({ home, user: USER, env: {} });
  store.create({
    name: 'Emulator Track',
    connector: 'track',
    region: 'emulator',
    credentials: CREDENTIALS.track,
  });
  store.create({ name: 'Emulator App', connector: 'app', region: 'emulator', credentials: CREDENTIALS.app });
  store.close();
  return home;
}

const envFor = (home: string) => ({ CIOC_HOME: home, CIOC_USER: USER, CIOC_EMULATOR_URL: url });

function writeWorkflow(document: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cioc-wf-')), 'workflow.json');
  writeFileSync(file, JSON.stringify(document));
  return file;
}

describe('cioc workflow run', () => {
  it('runs the example document and prints the run as the API shows it', async () => {
    const home = homeWithAuthentications();
    const result = await cioc(
      ['workflow', 'run', EXAMPLE, '--input', '{"id":"42","email":"ada@example.com","plan":"pro"}'],
      { env: envFor(home) },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const run = JSON.parse(result.stdout) as RunView;
    expect(schemaIssues(RunViewSchema, run)).toEqual([]);
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([
      ['upsert', 'succeeded'],
      ['welcome', 'succeeded'],
    ]);
    expect(emulator.state.events).toMatchObject([
      { name: 'welcomed', data: { plan: 'pro', upsert: 'succeeded' } },
    ]);
    expect(result.stdout).not.toContain(CREDENTIALS.track.apiKey);
  });

  it('exits with the failed step’s error class', async () => {
    const home = homeWithAuthentications();
    const file = writeWorkflow({
      name: 'missing segment',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'get',
          operation: 'app.get_segment',
          authentication: 'Emulator App',
          input: { segment_id: 987654 },
        },
      ],
    });
    const notFound = await cioc(['workflow', 'run', file], { env: envFor(home) });
    expect(notFound.code).toBe(4);
    expect(JSON.parse(notFound.stdout)).toMatchObject({
      status: 'failed',
      error: { type: 'not_found', step: 'get' },
    });

    emulator.faults.add({ path: '/api/v1/customers/42', status: 401 });
    const unauthorized = await cioc(
      ['workflow', 'run', EXAMPLE, '--input', '{"id":"42","email":"a@b.c","plan":"x"}'],
      {
        env: envFor(home),
      },
    );
    expect(unauthorized.code).toBe(3);
  });

  it('refuses an invalid document with every problem and its pointer, sending nothing', async () => {
    const home = homeWithAuthentications();
    const file = writeWorkflow({
      name: 'bad',
      trigger: { type: 'manual' },
      steps: [
        { id: 'a', operation: 'track.create_or_update_custmer', authentication: 'Emulator Track', input: {} },
        {
          id: 'b',
          operation: 'track.track_custom_event',
          version: '1.0',
          authentication: 'Nope',
          input: { identifier: '{{ $.steps.c.output }}', name: 7 },
        },
        {
          id: 'c',
          operation: 'app.get_segment',
          authentication: 'Emulator Track',
          input: { segment_id: '{{ $.steps.a.output.id }}' },
        },
      ],
    });
    for (const command of ['validate', 'run']) {
      const result = await cioc(['workflow', command, file], { env: envFor(home) });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      const error = (
        JSON.parse(result.stderr) as { error: { type: string; issues: { path: string; message: string }[] } }
      ).error;
      expect(error.type).toBe('validation');
      expect(error.issues).toEqual([
        {
          path: '/steps/0/operation',
          message: expect.stringContaining('did you mean "track.create_or_update_customer"') as string,
        },
        {
          path: '/steps/1/version',
          message: 'must be "2.0", the version of the track connector (not "1.0")',
        },
        {
          path: '/steps/1/authentication',
          message: 'no authentication named "Nope" is visible to the workflow\'s owner',
        },
        {
          path: '/steps/1/input/identifier',
          message: expect.stringContaining('step "c" does not run before this one') as string,
        },
        { path: '/steps/1/input/name', message: 'must be a string' },
        {
          path: '/steps/2/authentication',
          message:
            '"Emulator Track" is for the track connector; app.get_segment needs one for the app connector',
        },
      ]);
    }
    expect(emulator.requests).toHaveLength(0);
  });

  it('completes the workflow subcommands', async () => {
    const result = await cioc(['__complete', '--', 'workflow', 'r'], { env: envFor(freshHome()) });
    // Every workflow subcommand, remote ones included (the list comes from the program itself).
    expect(result.stdout.trim().split('\n')).toEqual(['run', 'resume', 'runs', 'replay']);
  });

  it('validates a good document', async () => {
    const result = await cioc(['workflow', 'validate', EXAMPLE], { env: envFor(homeWithAuthentications()) });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ valid: true, name: 'Welcome a new customer', steps: 2 });
  });
});

/** Starts `cioc workflow run`, waits until the emulator holds the step's request, kills it with SIGKILL. */
async function killMidStep(home: string, file: string, path: string, input: unknown): Promise<void> {
  emulator.faults.add({ path, delay_ms: 1500 });
  const child = spawn(process.execPath, [BIN, 'workflow', 'run', file, '--input', JSON.stringify(input)], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...envFor(home) },
    stdio: 'ignore',
  });
  const exited = new Promise<NodeJS.Signals | null>((done) =>
    child.on('exit', (_code, signal) => {
      done(signal);
    }),
  );
  for (let i = 0; i < 800 && !emulator.requests.some((r) => r.path === path); i++) await sleep(25);
  expect(emulator.requests.some((r) => r.path === path)).toBe(true);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  await sleep(1700); // the emulator finishes handling the request the dead process sent
}

async function storedSteps(home: string) {
  const auth = AuthStore.open({ home, user: USER, env: {} });
  try {
    const store = new WorkflowStore(auth.database);
    const [run] = await store.unfinishedRuns();
    return { run, steps: run === undefined ? [] : await store.getSteps(run.id) };
  } finally {
    auth.close();
  }
}

// Child processes on a busy machine: more time than the default 20 s.
describe('a run killed mid-step and resumed', { timeout: 60_000 }, () => {
  it('sends an id-deduplicated event again with the same id: exactly one event', async () => {
    const home = homeWithAuthentications();
    await killMidStep(home, EXAMPLE, '/api/v1/customers/k1/events', {
      id: 'k1',
      email: 'k1@example.com',
      plan: 'pro',
    });
    const { run, steps } = await storedSteps(home);
    expect(run?.status).toBe('running');
    const inFlight = steps.find((s) => s.key === 'welcome');
    expect(inFlight).toMatchObject({ status: 'running', phase: 'sending', resendable: true });
    const [eventId] = inFlight?.generatedIds ?? [];
    expect(emulator.state.events.map((e) => e.id)).toEqual([eventId]); // the id was persisted before it was sent

    const resumed = await cioc(['workflow', 'resume'], { env: envFor(home) });
    expect(resumed.code).toBe(0);
    const [view] = (JSON.parse(resumed.stdout) as { runs: RunView[] }).runs;
    expect(view?.id).toBe(run?.id);
    expect(view?.status).toBe('succeeded');
    expect(view?.steps.map((s) => [s.key, s.status])).toEqual([
      ['upsert', 'succeeded'],
      ['welcome', 'succeeded'],
    ]);
    expect(view?.steps[1]?.generated_ids).toEqual([eventId]);
    expect(emulator.requests.filter((r) => r.path === '/api/v1/customers/k1/events')).toHaveLength(2);
    expect(emulator.requests.filter((r) => r.path === '/api/v1/customers/k1')).toHaveLength(1); // not redone
    expect(emulator.state.events.map((e) => e.id)).toEqual([eventId]);
  });

  it('turns a transactional send in flight into delivery_unknown and never sends it again', async () => {
    const home = homeWithAuthentications();
    const file = writeWorkflow({
      name: 'transactional',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'upsert',
          operation: 'track.create_or_update_customer',
          authentication: 'Emulator Track',
          input: { identifier: 't1', email: 't1@example.com' },
        },
        {
          id: 'send',
          operation: 'app.send_transactional_email',
          authentication: 'Emulator App',
          input: { transactional_message_id: 1, to: 't1@example.com', identifiers: { id: 't1' } },
        },
        {
          id: 'after',
          operation: 'track.track_custom_event',
          authentication: 'Emulator Track',
          input: { identifier: 't1', name: 'after' },
        },
      ],
    });
    await killMidStep(home, file, '/v1/send/email', {});
    expect((await storedSteps(home)).steps.find((s) => s.key === 'send')).toMatchObject({
      phase: 'sending',
      resendable: false,
    });
    const resumed = await cioc(['workflow', 'resume'], { env: envFor(home) });
    expect(resumed.code).toBe(5);
    const [view] = (JSON.parse(resumed.stdout) as { runs: RunView[] }).runs;
    expect(view?.status).toBe('failed');
    expect(view?.steps.map((s) => [s.key, s.status])).toEqual([
      ['upsert', 'succeeded'],
      ['send', 'delivery_unknown'],
    ]);
    expect(view?.error).toMatchObject({ type: 'delivery_unknown', step: 'send' });
    expect(emulator.requests.filter((r) => r.path === '/v1/send/email')).toHaveLength(1);
    expect(emulator.state.deliveries).toHaveLength(1);
    // Nothing left to resume.
    const again = await cioc(['workflow', 'resume'], { env: envFor(home) });
    expect(JSON.parse(again.stdout)).toEqual({ runs: [] });
  });
});
