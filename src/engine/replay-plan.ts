/** What a replay reuses from the replayed run, and what it runs again. */
import { ValidationError } from '../errors.js';
import type { Step, WorkflowDocument } from '../workflows/document.js';
import type { PriorStep } from './step.js';
import type { StepRecord } from './types.js';

/**
 * A step that may have reached Customer.io and cannot be sent again harmlessly: delivery unknown,
 * or left in phase `sending` by a send that cannot be deduplicated (the run was failed by a store
 * error while it was in flight).
 */
export function mayHaveBeenDelivered(step: StepRecord): boolean {
  return (
    step.status === 'delivery_unknown' ||
    (step.phase === 'sending' && step.resendable === false && step.status !== 'succeeded')
  );
}

/**
 * What a replay reuses: every step before the top-level step the run stopped at (and the finished
 * iterations of a failed loop) keeps its result; the step it stopped at and everything after run
 * again with the same generated ids. A step that failed but was continued past (`on_error:
 * continue`) did not stop the run: it runs again, and what came after it is judged on its own.
 *
 * A send that cannot be deduplicated (registry safety: not idempotent, no dedupe id) and that
 * succeeded is never sent again, wherever it is: it is reused. One that may have been delivered
 * refuses the replay unless `resendUnknown` (the user checked it did not take effect).
 */
export function replayPlan(
  document: WorkflowDocument,
  steps: readonly StepRecord[],
  resendUnknown: boolean,
): Map<string, PriorStep> {
  const prior = new Map<string, PriorStep>();
  const unknown = steps.find(mayHaveBeenDelivered);
  if (unknown !== undefined && !resendUnknown) {
    throw new ValidationError(
      `Step "${unknown.key}" of this run may have been delivered (delivery unknown); check whether it took effect, then replay with resend_unknown to send it again`,
    );
  }
  // The run stops at its last top-level step when that one did not finish (a failed step that
  // was continued past is followed by later ones).
  const top = steps.filter((s) => s.parentKey === null).sort((a, b) => a.seq - b.seq);
  const lastTop = top[top.length - 1];
  const stopped =
    lastTop !== undefined && lastTop.status !== 'succeeded' && lastTop.status !== 'skipped'
      ? lastTop
      : undefined;
  const order = new Map(document.steps.map((s, i) => [s.id, i]));
  const failedIndex = stopped === undefined ? Infinity : (order.get(stopped.stepId) ?? Infinity);
  for (const step of steps) {
    const topId = step.key.split(/[[.]/, 1)[0] ?? step.key;
    const index = order.get(topId);
    const finished = step.status === 'succeeded' || step.status === 'skipped';
    const before = index !== undefined && index < failedIndex;
    const insideFailed = index !== undefined && index === failedIndex && step.parentKey !== null;
    const delivered = step.status === 'succeeded' && step.resendable === false;
    prior.set(step.key, {
      record: step,
      reuse:
        sameStep(document, step) &&
        (delivered || (finished && (before || (insideFailed && step.status === 'succeeded')))),
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
