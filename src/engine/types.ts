/** What the engine records: runs and step runs, as stored and as the API shows them. */
import type { ErrorJson } from '../errors.js';
import type { WorkflowDocument } from '../workflows/document.js';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'delivery_unknown',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** What started a run; references read it as `$.trigger`. Stored redacted. */
export interface TriggerData {
  type: string;
  body: unknown;
  headers: Record<string, string>;
  query: Record<string, string>;
}

/** A body as recorded: whole up to the limit, else its first characters and a mark. */
export interface RecordedBody {
  body?: unknown;
  body_truncated?: true;
  /** Size of the whole body (JSON text) when truncated. */
  body_size?: number;
}

export interface RecordedExchange {
  request: { method: string; url: string; headers: Record<string, string> } & RecordedBody;
  response?: { status: number; headers: Record<string, string> } & RecordedBody;
  error?: string;
  duration_ms: number;
}

export interface StepRecord {
  runId: string;
  /** Unique within the run: `upsert`, or `loop[2].inner` inside a loop's third iteration. */
  key: string;
  stepId: string;
  parentKey: string | null;
  itemIndex: number | null;
  seq: number;
  operation: string | null;
  authentication: string | null;
  status: StepStatus;
  /** `sending` once the request may be on the wire (what a resume looks at). */
  phase: 'sending' | null;
  /** Whether sending the request again cannot cause a second effect. */
  resendable: boolean | null;
  attempts: number;
  generatedIds: string[];
  input: unknown;
  output: unknown;
  error: ErrorJson | null;
  exchanges: RecordedExchange[];
  /** The run this record was copied from (a replay reuses earlier steps' results). */
  reusedFrom: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface RunRecord {
  id: string;
  workflowId: string;
  workflowVersion: number;
  /** The user whose authentications the run uses (the workflow's owner, or who started it). */
  ownerId: number;
  status: RunStatus;
  trigger: TriggerData;
  replayOf: string | null;
  output: unknown;
  error: (ErrorJson & { step?: string }) | null;
  claimedBy: string | null;
  heartbeatAt: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface WorkflowRecord {
  id: string;
  name: string;
  ownerId: number;
  /** Shared with this organisation, or null (owner only). */
  organisationId: number | null;
  currentVersion: number;
  createdAt: string;
  updatedAt: string;
}

export interface WorkflowVersionRecord {
  workflowId: string;
  version: number;
  document: WorkflowDocument;
  createdBy: number | null;
  createdAt: string;
}
