/**
 * Workflows, their versions, runs and step runs, written through Kysely (`tables.ts`): the same
 * typed queries speak SQLite now and PostgreSQL later. Implements the engine's `EngineStore`.
 * JSON is stored as text and parsed here; nothing above this file sees a row.
 */
import type Database from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { EngineStore, RunQuery, SaveWorkflow } from '../engine/store.js';
import type {
  RunRecord,
  RunStatus,
  StepRecord,
  StepStatus,
  WorkflowRecord,
  WorkflowVersionRecord,
} from '../engine/types.js';
import { ulid } from '../ulid.js';
import type { WorkflowDocument } from '../workflows/document.js';
import { kyselyFor, type RunsTable, type StepRunsTable, type Tables, type WorkflowsTable } from './tables.js';

const FINISHED: readonly RunStatus[] = ['succeeded', 'failed'];

export class WorkflowStore implements EngineStore {
  readonly db: Kysely<Tables>;

  /** Over an open, migrated connection (`AuthStore.database`), which its owner closes. */
  constructor(connection: Database.Database) {
    // WAL + NORMAL: a commit survives the process being killed (the WAL is in the OS's hands);
    // only a power cut can lose the last commits. FULL would fsync every step's record.
    connection.pragma('synchronous = NORMAL');
    this.db = kyselyFor(connection);
  }

  async saveWorkflow(
    input: SaveWorkflow,
  ): Promise<{ workflow: WorkflowRecord; version: number; changed: boolean }> {
    const now = new Date().toISOString();
    const text = JSON.stringify(input.document);
    return this.db.transaction().execute(async (trx) => {
      if (input.workflowId === undefined) {
        const id = ulid();
        await trx
          .insertInto('workflows')
          .values({
            id,
            name: input.document.name,
            owner_id: input.ownerId,
            organisation_id: input.organisationId ?? null,
            current_version: 1,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await trx
          .insertInto('workflow_versions')
          .values({ workflow_id: id, version: 1, document: text, created_by: input.ownerId, created_at: now })
          .execute();
        const row = await trx
          .selectFrom('workflows')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        return { workflow: toWorkflow(row), version: 1, changed: true };
      }
      const current = await trx
        .selectFrom('workflows')
        .selectAll()
        .where('id', '=', input.workflowId)
        .executeTakeFirstOrThrow();
      const latest = await trx
        .selectFrom('workflow_versions')
        .select('document')
        .where('workflow_id', '=', current.id)
        .where('version', '=', current.current_version)
        .executeTakeFirst();
      const sameDocument = latest?.document === text;
      const version = sameDocument ? current.current_version : current.current_version + 1;
      if (!sameDocument) {
        await trx
          .insertInto('workflow_versions')
          .values({
            workflow_id: current.id,
            version,
            document: text,
            created_by: input.ownerId,
            created_at: now,
          })
          .execute();
      }
      const organisationId =
        input.organisationId === undefined ? current.organisation_id : input.organisationId;
      if (!sameDocument || organisationId !== current.organisation_id) {
        await trx
          .updateTable('workflows')
          .set({
            name: input.document.name,
            current_version: version,
            organisation_id: organisationId,
            updated_at: now,
          })
          .where('id', '=', current.id)
          .execute();
      }
      const row = await trx
        .selectFrom('workflows')
        .selectAll()
        .where('id', '=', current.id)
        .executeTakeFirstOrThrow();
      return { workflow: toWorkflow(row), version, changed: !sameDocument };
    });
  }

  async getWorkflow(id: string): Promise<WorkflowRecord | undefined> {
    const row = await this.db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toWorkflow(row);
  }

  async findWorkflowByName(ownerId: number, name: string): Promise<WorkflowRecord | undefined> {
    const row = await this.db
      .selectFrom('workflows')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .where('name', '=', name)
      .orderBy('created_at')
      .executeTakeFirst();
    return row === undefined ? undefined : toWorkflow(row);
  }

  /**
   * The workflows a user may see: their own, and those shared with one of their organisations.
   * Newest change first.
   */
  async listWorkflows(viewer: {
    userId: number;
    organisationIds: readonly number[];
  }): Promise<WorkflowRecord[]> {
    const rows = await this.db
      .selectFrom('workflows')
      .selectAll()
      .where((eb) =>
        viewer.organisationIds.length === 0
          ? eb('owner_id', '=', viewer.userId)
          : eb.or([
              eb('owner_id', '=', viewer.userId),
              eb('organisation_id', 'in', [...viewer.organisationIds]),
            ]),
      )
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toWorkflow);
  }

  /** Deletes a workflow with its versions, runs, step runs and trigger keys. */
  async deleteWorkflow(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const runs = trx.selectFrom('runs').select('id').where('workflow_id', '=', id);
      await trx.deleteFrom('step_runs').where('run_id', 'in', runs).execute();
      await trx.deleteFrom('trigger_keys').where('workflow_id', '=', id).execute();
      await trx.deleteFrom('runs').where('workflow_id', '=', id).execute();
      await trx.deleteFrom('workflow_versions').where('workflow_id', '=', id).execute();
      const result = await trx.deleteFrom('workflows').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    });
  }

  async getWorkflowVersion(id: string, version: number): Promise<WorkflowVersionRecord | undefined> {
    const row = await this.db
      .selectFrom('workflow_versions')
      .selectAll()
      .where('workflow_id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    return row === undefined ? undefined : toVersion(row);
  }

  async listWorkflowVersions(id: string): Promise<WorkflowVersionRecord[]> {
    const rows = await this.db
      .selectFrom('workflow_versions')
      .selectAll()
      .where('workflow_id', '=', id)
      .orderBy('version', 'desc')
      .execute();
    return rows.map(toVersion);
  }

  async createRun(run: RunRecord, idempotencyKey?: string): Promise<{ created: boolean; runId: string }> {
    if (idempotencyKey === undefined) {
      await this.db.insertInto('runs').values(runRow(run)).execute();
      return { created: true, runId: run.id };
    }
    // INSERT … ON CONFLICT DO NOTHING first, then read: two starts with the same key never both
    // create a run (in PostgreSQL the second insert waits for the first transaction to commit).
    return this.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto('trigger_keys')
        .values({ workflow_id: run.workflowId, key: idempotencyKey, run_id: null, created_at: run.createdAt })
        .onConflict((oc) => oc.columns(['workflow_id', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0n) === 0) {
        const existing = await trx
          .selectFrom('trigger_keys')
          .select('run_id')
          .where('workflow_id', '=', run.workflowId)
          .where('key', '=', idempotencyKey)
          .executeTakeFirstOrThrow();
        // A key whose run was pruned has expired with it: it starts a new run.
        if (existing.run_id !== null) return { created: false, runId: existing.run_id };
      }
      await trx.insertInto('runs').values(runRow(run)).execute();
      await trx
        .updateTable('trigger_keys')
        .set({ run_id: run.id, created_at: run.createdAt })
        .where('workflow_id', '=', run.workflowId)
        .where('key', '=', idempotencyKey)
        .execute();
      return { created: true, runId: run.id };
    });
  }

  async updateRun(id: string, changes: Partial<Omit<RunRecord, 'id'>>, claimedBy?: string): Promise<boolean> {
    const row = runRow({ ...PARTIAL, ...changes });
    const set: Partial<Selectable<RunsTable>> = {};
    for (const [field, column] of RUN_COLUMNS) {
      if (field in changes)
        (set as Record<string, unknown>)[column] = (row as unknown as Record<string, unknown>)[column];
    }
    if (Object.keys(set).length === 0) return true;
    let q = this.db.updateTable('runs').set(set).where('id', '=', id);
    if (claimedBy !== undefined) q = q.where('claimed_by', '=', claimedBy);
    const result = await q.executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async claimRun(id: string, expected: string | null, claimedBy: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('runs')
      .set({ claimed_by: claimedBy, heartbeat_at: at })
      .where('id', '=', id)
      .where((eb) => (expected === null ? eb('claimed_by', 'is', null) : eb('claimed_by', '=', expected)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRun(row);
  }

  async listRuns(query: RunQuery): Promise<RunRecord[]> {
    let q = this.db.selectFrom('runs').selectAll().where('workflow_id', '=', query.workflowId);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.replayOf !== undefined) q = q.where('replay_of', '=', query.replayOf);
    if (query.from !== undefined) q = q.where('created_at', '>=', query.from);
    if (query.to !== undefined) q = q.where('created_at', '<', query.to);
    if (query.before !== undefined) q = q.where('id', '<', query.before);
    const rows = await q
      .orderBy('id', 'desc')
      .limit(query.limit ?? 100)
      .execute();
    return rows.map(toRun);
  }

  async unfinishedRuns(): Promise<RunRecord[]> {
    const rows = await this.db
      .selectFrom('runs')
      .selectAll()
      .where('status', 'in', ['queued', 'running'])
      .orderBy('id')
      .execute();
    return rows.map(toRun);
  }

  async heartbeat(ids: readonly string[], at: string, claimedBy: string): Promise<string[]> {
    if (ids.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('runs')
        .set({ heartbeat_at: at })
        .where('id', 'in', [...ids])
        .where('claimed_by', '=', claimedBy)
        .execute();
      const held = await trx
        .selectFrom('runs')
        .select('id')
        .where('id', 'in', [...ids])
        .where('claimed_by', '=', claimedBy)
        .execute();
      const kept = new Set(held.map((r) => r.id));
      return ids.filter((id) => !kept.has(id));
    });
  }

  async putStep(step: StepRecord, claimedBy?: string): Promise<boolean> {
    const row = stepRow(step);
    const { run_id: _run, step_key: _key, ...rest } = row;
    return this.db.transaction().execute(async (trx) => {
      if (claimedBy !== undefined) {
        // The claim check and the write in one transaction (the UPDATE locks the run's row in
        // PostgreSQL): a run taken over in between is never written by its old holder.
        const held = await trx
          .updateTable('runs')
          .set({ heartbeat_at: new Date().toISOString() })
          .where('id', '=', step.runId)
          .where('claimed_by', '=', claimedBy)
          .executeTakeFirst();
        if (Number(held.numUpdatedRows) !== 1) return false;
      }
      await trx
        .insertInto('step_runs')
        .values(row)
        .onConflict((oc) => oc.columns(['run_id', 'step_key']).doUpdateSet(rest))
        .execute();
      return true;
    });
  }

  async getSteps(runId: string): Promise<StepRecord[]> {
    const rows = await this.db
      .selectFrom('step_runs')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('seq')
      .execute();
    return rows.map(toStep);
  }

  /**
   * Deletes finished runs that are neither among the newest `keepRuns` of their workflow nor
   * finished at or after `before` (retention keeps the union of both). With one of them only,
   * that one decides. Their step runs go with them; their trigger keys then point at nothing
   * and count as expired (`createRun`).
   */
  async pruneRuns(options: { keepRuns?: number | undefined; before?: string | undefined }): Promise<number> {
    const { keepRuns: keep, before } = options;
    if (keep === undefined && before === undefined) return 0;
    if (keep === undefined) {
      const result = await this.db
        .deleteFrom('runs')
        .where('status', 'in', [...FINISHED])
        .where('finished_at', '<', before ?? '')
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    }
    let deleted = 0;
    const crowded = await this.db
      .selectFrom('runs')
      .select(['workflow_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', 'in', [...FINISHED])
      .groupBy('workflow_id')
      .having((eb) => eb.fn.countAll(), '>', keep)
      .execute();
    for (const { workflow_id: workflowId } of crowded) {
      const newest = this.db
        .selectFrom('runs')
        .select('id')
        .where('workflow_id', '=', workflowId)
        .where('status', 'in', [...FINISHED])
        .orderBy('id', 'desc')
        .limit(keep);
      let q = this.db
        .deleteFrom('runs')
        .where('workflow_id', '=', workflowId)
        .where('status', 'in', [...FINISHED])
        .where('id', 'not in', newest);
      if (before !== undefined) q = q.where('finished_at', '<', before);
      const result = await q.executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
    return deleted;
  }
}

const PARTIAL: RunRecord = {
  id: '',
  workflowId: '',
  workflowVersion: 0,
  ownerId: 0,
  status: 'queued',
  trigger: { type: 'manual', body: null, headers: {}, query: {} },
  replayOf: null,
  output: null,
  error: null,
  claimedBy: null,
  heartbeatAt: null,
  createdAt: '',
  startedAt: null,
  finishedAt: null,
  durationMs: null,
};

const RUN_COLUMNS: readonly (readonly [keyof RunRecord, keyof RunsTable])[] = [
  ['workflowId', 'workflow_id'],
  ['workflowVersion', 'workflow_version'],
  ['ownerId', 'owner_id'],
  ['status', 'status'],
  ['trigger', 'trigger_data'],
  ['replayOf', 'replay_of'],
  ['output', 'output'],
  ['error', 'error'],
  ['claimedBy', 'claimed_by'],
  ['heartbeatAt', 'heartbeat_at'],
  ['createdAt', 'created_at'],
  ['startedAt', 'started_at'],
  ['finishedAt', 'finished_at'],
  ['durationMs', 'duration_ms'],
];

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
function parse<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : (JSON.parse(text) as T);
}

function runRow(run: RunRecord): Selectable<RunsTable> {
  return {
    id: run.id,
    workflow_id: run.workflowId,
    workflow_version: run.workflowVersion,
    owner_id: run.ownerId,
    status: run.status,
    trigger_data: JSON.stringify(run.trigger),
    replay_of: run.replayOf,
    output: json(run.output),
    error: json(run.error ?? undefined),
    claimed_by: run.claimedBy,
    heartbeat_at: run.heartbeatAt,
    created_at: run.createdAt,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    duration_ms: run.durationMs,
  };
}

function toRun(row: Selectable<RunsTable>): RunRecord {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: row.workflow_version,
    ownerId: row.owner_id,
    status: row.status as RunStatus,
    trigger: parse(row.trigger_data, PARTIAL.trigger),
    replayOf: row.replay_of,
    output: parse<unknown>(row.output, undefined),
    error: parse(row.error, null),
    claimedBy: row.claimed_by,
    heartbeatAt: row.heartbeat_at,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
  };
}

function stepRow(step: StepRecord): Selectable<StepRunsTable> {
  return {
    run_id: step.runId,
    step_key: step.key,
    step_id: step.stepId,
    parent_key: step.parentKey,
    item_index: step.itemIndex,
    seq: step.seq,
    operation: step.operation,
    authentication: step.authentication,
    status: step.status,
    phase: step.phase,
    resendable: step.resendable === null ? null : step.resendable ? 1 : 0,
    attempts: step.attempts,
    generated_ids: step.generatedIds.length === 0 ? null : JSON.stringify(step.generatedIds),
    input: json(step.input),
    output: json(step.output),
    error: json(step.error ?? undefined),
    exchanges: step.exchanges.length === 0 ? null : JSON.stringify(step.exchanges),
    reused_from: step.reusedFrom,
    started_at: step.startedAt,
    finished_at: step.finishedAt,
    duration_ms: step.durationMs,
  };
}

function toStep(row: Selectable<StepRunsTable>): StepRecord {
  return {
    runId: row.run_id,
    key: row.step_key,
    stepId: row.step_id,
    parentKey: row.parent_key,
    itemIndex: row.item_index,
    seq: row.seq,
    operation: row.operation,
    authentication: row.authentication,
    status: row.status as StepStatus,
    phase: row.phase === 'sending' ? 'sending' : null,
    resendable: row.resendable === null ? null : row.resendable === 1,
    attempts: row.attempts,
    generatedIds: parse(row.generated_ids, []),
    input: parse<unknown>(row.input, undefined),
    output: parse<unknown>(row.output, undefined),
    error: parse(row.error, null),
    exchanges: parse(row.exchanges, []),
    reusedFrom: row.reused_from,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
  };
}

function toWorkflow(row: Selectable<WorkflowsTable>): WorkflowRecord {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    organisationId: row.organisation_id,
    currentVersion: row.current_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toVersion(row: Selectable<Tables['workflow_versions']>): WorkflowVersionRecord {
  return {
    workflowId: row.workflow_id,
    version: row.version,
    document: JSON.parse(row.document) as WorkflowDocument,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}
