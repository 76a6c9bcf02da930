/** What a replay reuses from the replayed run, and what it runs again. */
import { ValidationError } from '../errors.js';
import type { Step, WorkflowDocument } from '../workflows/document.js';
import type { PriorStep } from './step.js';
import type { StepRecord } from './types.js';

/**
 * What a replay reuses: every step before the first failed top-level step (and the finished
 * iterations of a failed loop) keeps its result; the failed step and everything after run again
 * with the same generated ids.
 */
export function replayPlan(
  document: WorkflowDocument,
  steps: readonly StepRecord[],
  resendUnknown: boolean,
): Map<string, PriorStep> {
  const prior = new Map<string, PriorStep>();
  const failedTop = steps.find(
    (s) => s.parentKey === null && (s.status === 'failed' || s.status === 'delivery_unknown'),
  );
  const unknown = steps.find((s) => s.status === 'delivery_unknown');
  if (unknown !== undefined && !resendUnknown) {
    throw new ValidationError(
      `Step "${unknown.key}" of this run may have been delivered (delivery unknown); check whether it took effect, then replay with resend_unknown to send it again`,
    );
  }
  const order = new Map(document.steps.map((s, i) => [s.id, i]));
  const failedIndex = failedTop === undefined ? Infinity : (order.get(failedTop.stepId) ?? Infinity);
  for (const step of steps) {
    const top = step.key.split(/[[.]/, 1)[0] ?? step.key;
    const index = order.get(top);
    const finished = step.status === 'succeeded' || step.status === 'skipped';
    const before = index !== undefined && index < failedIndex;
    const insideFailed = index !== undefined && index === failedIndex && step.parentKey !== null;
    const sameOperation = sameStep(document, step);
    prior.set(step.key, {
      record: step,
      reuse: sameOperation && finished && (before || (insideFailed && step.status === 'succeeded')),
    });
  }
  return prior;
}

function sameStep(document: WorkflowDocument, record: StepRecord): boolean {
  const find = (steps: readonly Step[]): Step | undefined => {
    for (const s of steps) {
      if (s.id === record.stepId) return s;
      const inner = s.steps === undefined ? undefined : find(s.steps);
      if (inner !== undefined) return inner;
    }
    return undefined;
  };
  const step = find(document.steps);
  return step !== undefined && (step.operation ?? null) === record.operation;
}
