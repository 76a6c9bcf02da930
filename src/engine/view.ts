/**
 * A run as clients see it (`GET /api/runs/:id`, `cioc workflow run`): snake_case JSON, steps in the
 * order they started. `RunView` in `run-schema.ts` is the same shape as a JSON Schema.
 */
import type { ErrorJson } from '../errors.js';
import type { RecordedExchange, RunRecord, RunStatus, StepRecord, StepStatus, TriggerData } from './types.js';

export interface StepView {
  key: string;
  id: string;
  parent: string | null;
  index: number | null;
  operation: string | null;
  authentication: string | null;
  status: StepStatus;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  input: unknown;
  output: unknown;
  error: ErrorJson | null;
  requests: RecordedExchange[];
  generated_ids: string[];
  reused_from: string | null;
}

export interface RunView {
  id: string;
  workflow_id: string;
  workflow_version: number;
  status: RunStatus;
  trigger: TriggerData;
  replay_of: string | null;
  output: unknown;
  error: (ErrorJson & { step?: string }) | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  steps: StepView[];
}

export function runView(run: RunRecord, steps: readonly StepRecord[]): RunView {
  return {
    id: run.id,
    workflow_id: run.workflowId,
    workflow_version: run.workflowVersion,
    status: run.status,
    trigger: run.trigger,
    replay_of: run.replayOf,
    output: run.output ?? null,
    error: run.error,
    created_at: run.createdAt,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    duration_ms: run.durationMs,
    steps: [...steps].sort((a, b) => a.seq - b.seq).map(stepView),
  };
}

export function stepView(step: StepRecord): StepView {
  return {
    key: step.key,
    id: step.stepId,
    parent: step.parentKey,
    index: step.itemIndex,
    operation: step.operation,
    authentication: step.authentication,
    status: step.status,
    attempts: step.attempts,
    started_at: step.startedAt,
    finished_at: step.finishedAt,
    duration_ms: step.durationMs,
    input: step.input ?? null,
    output: step.output ?? null,
    error: step.error,
    requests: step.exchanges,
    generated_ids: step.generatedIds,
    reused_from: step.reusedFrom,
  };
}
