import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../engine/types.js';
import type { WorkflowDocument } from '../workflows/document.js';
import { AuthStore } from './auth-store.js';
import { MIGRATIONS } from './migrations.js';
import { WorkflowStore } from './workflow-store.js';

const home = () => join(mkdtempSync(join(tmpdir(), 'cioc-store-')), 'home');
const DOC: WorkflowDocument = {
  name: 'w',
  trigger: { type: 'manual' },
  steps: [{ id: 'a', operation: 'track.delete_customer', input: { identifier: '1' } }],
};

function run(overrides: Partial<RunRecord>): RunRecord {
  return {
    id: '01J00000000000000000000000',
    workflowId: '',
    workflowVersion: 1,
    ownerId: 1,
    status: 'queued',
    trigger: { type: 'manual', body: {}, headers: {}, query: {} },
    replayOf: null,
    output: null,
    error: null,
    claimedBy: null,
    heartbeatAt: null,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    ...overrides,
  };
}

describe('migration 2', () => {
  it('upgrades a version-1 store in place, keeping its users', () => {
    const dir = home();
    AuthStore.open({ home: dir, user: 'alice', env: {} }).close();
    // Roll the file back to schema 1 as an older cioc left it.
    const raw = new Database(join(dir, 'cioc.db'));
    raw.exec(`DROP TABLE sessions; DROP TABLE trigger_keys; DROP TABLE step_runs; DROP TABLE runs; DROP TABLE workflow_versions;
      DROP TABLE workflows; DROP TABLE api_tokens; DROP INDEX users_email;
      ALTER TABLE users DROP COLUMN display_name; ALTER TABLE users DROP COLUMN password_hash;
      ALTER TABLE users DROP COLUMN email;`);
    raw.pragma('user_version = 1');
    raw.close();
    const again = AuthStore.open({ home: dir, user: 'alice', env: {} });
    expect(again.database.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(again.database.prepare('SELECT name, email, password_hash FROM users').all()).toEqual([
      { name: 'alice', email: null, password_hash: null },
    ]);
    again.close();
  });

  it('makes CIOC_USER=<email> the user with that email (one person for the CLI and the console)', () => {
    const dir = home();
    const alice = AuthStore.open({ home: dir, user: 'alice', env: {} });
    alice.database.prepare("UPDATE users SET email = 'a@example.com' WHERE name = 'alice'").run();
    alice.create({ name: 'mine', connector: 'app', credentials: { apiKey: 'secret-key-123456' } });
    const aliceId = alice.userId;
    alice.close();
    const byEmail = AuthStore.open({ home: dir, user: 'A@Example.com', env: {} });
    expect(byEmail.userId).toBe(aliceId);
    expect(byEmail.list().map((a) => a.name)).toEqual(['mine']);
    byEmail.close();
    const newcomer = AuthStore.open({ home: dir, user: 'b@example.com', env: {} });
    expect(newcomer.userId).not.toBe(aliceId);
    expect(newcomer.database.prepare('SELECT email FROM users WHERE id = ?').get(newcomer.userId)).toEqual({
      email: 'b@example.com',
    });
    expect(() =>
      newcomer.database.prepare("UPDATE users SET email = 'a@example.com' WHERE id = ?").run(newcomer.userId),
    ).toThrow(/UNIQUE/);
    newcomer.close();
  });
});

describe('WorkflowStore', () => {
  it('keeps every version: saving a changed document adds one, the same document none', async () => {
    const dir = home();
    const auth = AuthStore.open({ home: dir, user: 'alice', env: {} });
    const bob = AuthStore.open({ home: dir, user: 'bob', env: {} });
    const bobId = bob.userId;
    bob.close();
    const store = new WorkflowStore(auth.database);
    const created = await store.saveWorkflow({ ownerId: auth.userId, document: DOC });
    expect(created).toMatchObject({ version: 1, changed: true, workflow: { name: 'w', currentVersion: 1 } });
    const same = await store.saveWorkflow({
      ownerId: auth.userId,
      document: DOC,
      workflowId: created.workflow.id,
    });
    expect(same).toMatchObject({ version: 1, changed: false });
    const renamed = await store.saveWorkflow({
      ownerId: auth.userId,
      document: { ...DOC, name: 'w2' },
      workflowId: created.workflow.id,
      organisationId: 1,
    });
    expect(renamed).toMatchObject({
      version: 2,
      workflow: { name: 'w2', organisationId: 1, currentVersion: 2 },
    });
    expect((await store.getWorkflowVersion(created.workflow.id, 1))?.document).toEqual(DOC);
    expect((await store.listWorkflowVersions(created.workflow.id)).map((v) => v.version)).toEqual([2, 1]);
    expect(await store.findWorkflowByName(auth.userId, 'w2')).toMatchObject({ id: created.workflow.id });
    const other = await store.saveWorkflow({ ownerId: bobId, document: DOC });
    const mine = await store.saveWorkflow({ ownerId: auth.userId, document: { ...DOC, name: 'mine' } });
    const ids = async (organisationIds: number[]) =>
      (await store.listWorkflows({ userId: bobId, organisationIds })).map((w) => w.id);
    expect(await ids([])).toEqual([other.workflow.id]);
    expect(await ids([1])).toEqual(expect.arrayContaining([other.workflow.id, created.workflow.id]));
    expect(await ids([1])).not.toContain(mine.workflow.id);
    expect(await store.deleteWorkflow(created.workflow.id)).toBe(true);
    expect(await store.getWorkflow(created.workflow.id)).toBeUndefined();
    expect(await store.listWorkflowVersions(created.workflow.id)).toEqual([]);
    expect(await store.deleteWorkflow(created.workflow.id)).toBe(false);
    auth.close();
  });

  it('claims a run only from the expected holder, dedupes trigger keys, and prunes by age', async () => {
    const auth = AuthStore.open({ home: home(), user: 'alice', env: {} });
    const store = new WorkflowStore(auth.database);
    const { workflow } = await store.saveWorkflow({ ownerId: auth.userId, document: DOC });
    const base = { workflowId: workflow.id, ownerId: auth.userId };
    expect(
      await store.createRun(run({ ...base, id: '01J0000000000000000000000A', claimedBy: 'x' }), 'k'),
    ).toEqual({
      created: true,
      runId: '01J0000000000000000000000A',
    });
    expect(await store.createRun(run({ ...base, id: '01J0000000000000000000000B' }), 'k')).toEqual({
      created: false,
      runId: '01J0000000000000000000000A',
    });
    expect(await store.getRun('01J0000000000000000000000B')).toBeUndefined();
    expect(await store.claimRun('01J0000000000000000000000A', 'y', 'z', new Date().toISOString())).toBe(
      false,
    );
    expect(await store.claimRun('01J0000000000000000000000A', 'x', 'z', new Date().toISOString())).toBe(true);
    expect((await store.getRun('01J0000000000000000000000A'))?.claimedBy).toBe('z');
    // The old holder: its writes and heartbeat are refused, the new holder's go through.
    const at = new Date().toISOString();
    expect(await store.heartbeat(['01J0000000000000000000000A'], at, 'x')).toEqual([
      '01J0000000000000000000000A',
    ]);
    expect(await store.heartbeat(['01J0000000000000000000000A'], at, 'z')).toEqual([]);
    expect(await store.updateRun('01J0000000000000000000000A', { status: 'failed' }, 'x')).toBe(false);
    expect((await store.getRun('01J0000000000000000000000A'))?.status).toBe('queued');
    const stepRecord = {
      runId: '01J0000000000000000000000A',
      key: 'a',
      stepId: 'a',
      parentKey: null,
      itemIndex: null,
      seq: 1,
      operation: 'track.delete_customer',
      authentication: null,
      status: 'running' as const,
      phase: 'sending' as const,
      resendable: false,
      attempts: 0,
      generatedIds: [],
      input: {},
      output: undefined,
      error: null,
      exchanges: [],
      reusedFrom: null,
      startedAt: at,
      finishedAt: null,
      durationMs: null,
    };
    expect(await store.putStep(stepRecord, 'x')).toBe(false);
    expect(await store.getSteps('01J0000000000000000000000A')).toEqual([]);
    expect(await store.putStep(stepRecord, 'z')).toBe(true);
    expect(await store.getSteps('01J0000000000000000000000A')).toHaveLength(1);

    const old = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await store.createRun(
      run({ ...base, id: '01J0000000000000000000000C', status: 'failed', finishedAt: old }),
    );
    await store.createRun(
      run({
        ...base,
        id: '01J0000000000000000000000D',
        status: 'succeeded',
        finishedAt: new Date().toISOString(),
      }),
    );
    expect(await store.pruneRuns({ before: new Date(Date.now() - 86_400_000).toISOString() })).toBe(1);
    expect((await store.listRuns({ workflowId: workflow.id })).map((r) => r.id)).toEqual([
      '01J0000000000000000000000D',
      '01J0000000000000000000000A',
    ]);
    // Unfinished runs are never pruned.
    expect(await store.pruneRuns({ keepRuns: 0 })).toBe(1);
    expect((await store.unfinishedRuns()).map((r) => r.id)).toEqual(['01J0000000000000000000000A']);
    auth.close();
  });

  it('starts a new run for a key whose run was pruned (the key expired with it)', async () => {
    const auth = AuthStore.open({ home: home(), user: 'alice', env: {} });
    const store = new WorkflowStore(auth.database);
    const { workflow } = await store.saveWorkflow({ ownerId: auth.userId, document: DOC });
    const base = { workflowId: workflow.id, ownerId: auth.userId };
    const old = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const first = run({ ...base, id: '01J000000000000000000000K1', status: 'succeeded', finishedAt: old });
    expect(await store.createRun(first, 'evt')).toEqual({ created: true, runId: first.id });
    expect(await store.pruneRuns({ before: new Date().toISOString() })).toBe(1);
    const second = run({ ...base, id: '01J000000000000000000000K2' });
    expect(await store.createRun(second, 'evt')).toEqual({ created: true, runId: second.id });
    expect(await store.createRun(run({ ...base, id: '01J000000000000000000000K3' }), 'evt')).toEqual({
      created: false,
      runId: second.id,
    });
    auth.close();
  });

  it('keeps the union of the newest N runs and those of the last days (as documented)', async () => {
    const auth = AuthStore.open({ home: home(), user: 'alice', env: {} });
    const store = new WorkflowStore(auth.database);
    const { workflow } = await store.saveWorkflow({ ownerId: auth.userId, document: DOC });
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
    const ages = {
      '01J000000000000000000000R1': 10,
      '01J000000000000000000000R2': 5,
      '01J000000000000000000000R3': 0,
      '01J000000000000000000000R4': 0,
    };
    for (const [id, age] of Object.entries(ages))
      await store.createRun(
        run({
          id,
          workflowId: workflow.id,
          ownerId: auth.userId,
          status: 'succeeded',
          finishedAt: daysAgo(age),
        }),
      );
    // Newest 3: R2, R3, R4; last day: R3, R4. Kept: R2, R3, R4 (only R1 is in neither).
    expect(await store.pruneRuns({ keepRuns: 3, before: daysAgo(1) })).toBe(1);
    expect((await store.listRuns({ workflowId: workflow.id })).map((r) => r.id)).toEqual([
      '01J000000000000000000000R4',
      '01J000000000000000000000R3',
      '01J000000000000000000000R2',
    ]);
    // Newest 1: R4; last day: R3, R4. Kept: R3, R4.
    expect(await store.pruneRuns({ keepRuns: 1, before: daysAgo(1) })).toBe(1);
    expect((await store.listRuns({ workflowId: workflow.id })).map((r) => r.id)).toEqual([
      '01J000000000000000000000R4',
      '01J000000000000000000000R3',
    ]);
    auth.close();
  });
});
