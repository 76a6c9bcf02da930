/**
 * The server's queries on workflows beyond the engine's store: which workflows a user may see
 * (their own and their organisations', with the owner's name and the current document), the workflows with a given trigger, and the
 * trigger bookkeeping kept in `trigger_keys` (schedule ticks fired or missed). Kysely, like the
 * engine's store, so the same queries run on PostgreSQL.
 */
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { WorkflowDocument } from '../workflows/document.js';
import { kyselyFor, type Tables } from './tables.js';

export interface VisibleWorkflow {
  id: string;
  name: string;
  ownerId: number;
  owner: string;
  organisationId: number | null;
  currentVersion: number;
  createdAt: string;
  updatedAt: string;
  /** The webhook token's generation (rotating the token bumps it). */
  hookGeneration: number;
  document: WorkflowDocument;
}

export class WorkflowAccess {
  readonly db: Kysely<Tables>;

  constructor(connection: Database.Database) {
    this.db = kyselyFor(connection);
  }

  private base() {
    return this.db
      .selectFrom('workflows as w')
      .innerJoin('users as u', 'u.id', 'w.owner_id')
      .innerJoin('workflow_versions as v', (join) =>
        join.onRef('v.workflow_id', '=', 'w.id').onRef('v.version', '=', 'w.current_version'),
      )
      .select([
        'w.id',
        'w.name',
        'w.owner_id',
        'u.name as owner',
        'w.organisation_id',
        'w.current_version',
        'w.created_at',
        'w.updated_at',
        'w.hook_generation',
        'v.document',
      ]);
  }

  /** The workflows `userId` may see: their own and those shared with an organisation they belong to. */
  async listVisible(userId: number, options: { workflowId?: string } = {}): Promise<VisibleWorkflow[]> {
    let q = this.base().where((eb) =>
      eb.or([
        eb('w.owner_id', '=', userId),
        eb(
          'w.organisation_id',
          'in',
          eb.selectFrom('memberships').select('organisation_id').where('user_id', '=', userId),
        ),
      ]),
    );
    if (options.workflowId !== undefined) q = q.where('w.id', '=', options.workflowId);
    const rows = await q.orderBy('w.name').orderBy('w.id').execute();
    return rows.map(toVisible);
  }

  /** The newest run of each of these workflows (by creation), for lists; absent when none. */
  async lastRuns(
    workflowIds: readonly string[],
  ): Promise<Map<string, { id: string; status: string; created_at: string }>> {
    if (workflowIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('runs as r')
      .select(['r.id', 'r.workflow_id', 'r.status', 'r.created_at'])
      .where('r.workflow_id', 'in', workflowIds)
      .where('r.id', '=', (eb) =>
        eb
          .selectFrom('runs as l')
          .select('l.id')
          .whereRef('l.workflow_id', '=', 'r.workflow_id')
          .orderBy('l.created_at', 'desc')
          .orderBy('l.id', 'desc')
          .limit(1),
      )
      .execute();
    return new Map(
      rows.map((r) => [r.workflow_id, { id: r.id, status: r.status, created_at: r.created_at }]),
    );
  }

  async getVisible(userId: number, workflowId: string): Promise<VisibleWorkflow | undefined> {
    const [found] = await this.listVisible(userId, { workflowId });
    return found;
  }

  async get(workflowId: string): Promise<VisibleWorkflow | undefined> {
    const row = await this.base().where('w.id', '=', workflowId).executeTakeFirst();
    return row === undefined ? undefined : toVisible(row);
  }

  /** Every workflow whose current version has this trigger type (the schedule's start-up scan). */
  async withTrigger(type: string): Promise<VisibleWorkflow[]> {
    const rows = await this.base().orderBy('w.id').execute();
    return rows.map(toVisible).filter((w) => w.document.trigger.type === type);
  }

  /** Rotates the workflow's webhook token: the previous URL stops working at once. */
  async rotateHookToken(workflowId: string): Promise<number> {
    const row = await this.db
      .updateTable('workflows')
      .set((eb) => ({ hook_generation: eb('hook_generation', '+', 1) }))
      .where('id', '=', workflowId)
      .returning('hook_generation')
      .executeTakeFirstOrThrow();
    return row.hook_generation;
  }

  async isAdmin(userId: number, organisationId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('memberships')
      .select('role')
      .where('user_id', '=', userId)
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
    return row?.role === 'admin';
  }

  /** Trigger keys of a workflow starting with `prefix`, newest (greatest) first. */
  async triggerKeys(
    workflowId: string,
    prefix: string,
    limit = 100,
  ): Promise<{ key: string; runId: string | null; createdAt: string }[]> {
    const rows = await this.db
      .selectFrom('trigger_keys')
      .select(['key', 'run_id', 'created_at'])
      .where('workflow_id', '=', workflowId)
      .where('key', '>=', prefix)
      .where('key', '<', `${prefix}\uffff`)
      .orderBy('key', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ key: r.key, runId: r.run_id, createdAt: r.created_at }));
  }

  /** Records a key without a run (a missed schedule tick); false when it was already there. */
  async addTriggerKey(workflowId: string, key: string, at: string): Promise<boolean> {
    const result = await this.db
      .insertInto('trigger_keys')
      .values({ workflow_id: workflowId, key, run_id: null, created_at: at })
      .onConflict((oc) => oc.columns(['workflow_id', 'key']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
}

function toVisible(row: {
  id: string;
  name: string;
  owner_id: number;
  owner: string;
  organisation_id: number | null;
  current_version: number;
  created_at: string;
  updated_at: string;
  hook_generation: number;
  document: string;
}): VisibleWorkflow {
  return {
    id: row.id,
    name: row.name,
    ownerId: row.owner_id,
    owner: row.owner,
    organisationId: row.organisation_id,
    currentVersion: row.current_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    hookGeneration: row.hook_generation,
    document: JSON.parse(row.document) as WorkflowDocument,
  };
}
