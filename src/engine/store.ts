/**
 * What the engine needs from storage. `WorkflowStore` (`src/store/workflow-store.ts`, Kysely over
 * SQLite) implements it; a PostgreSQL store for queue workers implements the same interface.
 */
import type { WorkflowDocument } from '../workflows/document.js';
import type { RunRecord, RunStatus, StepRecord, WorkflowRecord, WorkflowVersionRecord } from './types.js';

export interface SaveWorkflow {
  ownerId: number;
  document: WorkflowDocument;
  /** Update this workflow (a new version); absent: create one. */
  workflowId?: string | undefined;
  /** Share with this organisation (null: the owner only; absent: unchanged, or owner only when new). */
  organisationId?: number | null | undefined;
}

export interface RunQuery {
  workflowId: string;
  status?: RunStatus | undefined;
  /** Only the replays of this run. */
  replayOf?: string | undefined;
  /** ISO-8601 bounds on `created_at` (inclusive from, exclusive to). */
  from?: string | undefined;
  to?: string | undefined;
  /** Newest first; runs created before this run id's row (pagination cursor). */
  before?: string | undefined;
  limit?: number | undefined;
}

export interface EngineStore {
  saveWorkflow(input: SaveWorkflow): Promise<{ workflow: WorkflowRecord; version: number; changed: boolean }>;
  getWorkflow(id: string): Promise<WorkflowRecord | undefined>;
  findWorkflowByName(ownerId: number, name: string): Promise<WorkflowRecord | undefined>;
  getWorkflowVersion(id: string, version: number): Promise<WorkflowVersionRecord | undefined>;
  listWorkflowVersions(id: string): Promise<WorkflowVersionRecord[]>;

  /** Creates the run; with a key, only when the key is new for the workflow (else returns the key's run id). */
  createRun(run: RunRecord, idempotencyKey?: string): Promise<{ created: boolean; runId: string }>;
  /**
   * Updates the run. With `claimedBy`, only while the run is still claimed by it (false when
   * another engine took it over: the caller must stop).
   */
  updateRun(id: string, changes: Partial<Omit<RunRecord, 'id'>>, claimedBy?: string): Promise<boolean>;
  /** Sets `claimedBy` only if it still is `expected` (two engines never take the same run). */
  claimRun(id: string, expected: string | null, claimedBy: string, at: string): Promise<boolean>;
  getRun(id: string): Promise<RunRecord | undefined>;
  listRuns(query: RunQuery): Promise<RunRecord[]>;
  /** Runs still queued or running (candidates for a resume). */
  unfinishedRuns(): Promise<RunRecord[]>;
  /** Beats for the runs still claimed by `claimedBy`; returns the ids it no longer holds. */
  heartbeat(ids: readonly string[], at: string, claimedBy: string): Promise<string[]>;

  /**
   * Inserts or replaces a step record. With `claimedBy`, atomically only while its run is still
   * claimed by it (also beating its heartbeat); false, and nothing written, otherwise.
   */
  putStep(step: StepRecord, claimedBy?: string): Promise<boolean>;
  getSteps(runId: string): Promise<StepRecord[]>;

  /** Deletes finished runs beyond the newest `keepRuns` per workflow, and those finished before `before`. */
  pruneRuns(options: { keepRuns?: number | undefined; before?: string | undefined }): Promise<number>;
}
