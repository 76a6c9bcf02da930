/**
 * Runs a workflow's steps in order for one run: conditions, loops (with a concurrency cap) and
 * `on_error`. Each operation step goes through `executeStep`; this file only decides which steps
 * run and what the run's outcome is.
 */
import { ValidationError } from '../errors.js';
import type { Step, WorkflowDocument } from '../workflows/document.js';
import { evaluateCondition } from '../workflows/conditions.js';
import { resolveValue } from '../workflows/references.js';
import { recordError } from './record.js';
import {
  executeStep,
  finish,
  newRecord,
  reusePrior,
  type Place,
  type Scope,
  type StepContext,
} from './step.js';
import type { StepRecord } from './types.js';

export interface RunOutcome {
  failed: StepRecord | undefined;
  /** The last top-level step that ran (its output is the run's default output). */
  last: StepRecord | undefined;
}

const FAILED = new Set(['failed', 'delivery_unknown']);

/** Most items a `for_each` loop takes by default (`createEngine({ maxLoopItems })`). */
export const DEFAULT_MAX_LOOP_ITEMS = 10_000;

export async function runSteps(
  ctx: StepContext,
  steps: readonly Step[],
  scope: Scope,
  prefix: string,
  parent: { key: string; index: number } | null,
): Promise<RunOutcome> {
  let last: StepRecord | undefined;
  for (const step of steps) {
    const place: Place = {
      key: `${prefix}${step.id}`,
      parentKey: parent?.key ?? null,
      itemIndex: parent?.index ?? null,
    };
    const record =
      step.for_each !== undefined
        ? await runLoop(ctx, step, scope, place)
        : await executeStep(ctx, step, scope, place);
    scope.steps[step.id] = {
      status: record.status,
      output: record.output,
      error: record.error ?? undefined,
      attempts: record.attempts,
    };
    if (record.status !== 'skipped') last = record;
    if (FAILED.has(record.status) && step.on_error !== 'continue') return { failed: record, last };
  }
  return { failed: undefined, last };
}

async function runLoop(ctx: StepContext, step: Step, scope: Scope, place: Place): Promise<StepRecord> {
  const prior = ctx.prior.get(place.key);
  if (prior?.reuse === true) {
    // The loop's own record and its iterations' steps, so that the run shows them all.
    const reused = await reusePrior(ctx, prior.record);
    for (const [key, inner] of ctx.prior)
      if (inner.reuse && key.startsWith(`${place.key}[`)) await reusePrior(ctx, inner.record);
    return reused;
  }
  const started = performance.now();
  const record = newRecord(ctx, step, place);
  if (step.when !== undefined && !evaluateCondition(step.when, scope))
    return finish(ctx, record, { status: 'skipped' }, started);
  const items = resolveValue(step.for_each, scope);
  const refuse = (message: string): Promise<StepRecord> =>
    finish(
      ctx,
      record,
      { status: 'failed', error: recordError(new ValidationError(message), ctx.redactor) },
      started,
    );
  if (!Array.isArray(items)) {
    const got = items === undefined ? 'nothing' : items === null ? 'null' : typeof items;
    return refuse(`for_each ${step.for_each ?? ''} is not an array (got ${got})`);
  }
  if (items.length > ctx.maxLoopItems)
    return refuse(
      `for_each ${step.for_each ?? ''} has ${String(items.length)} items; a loop takes at most ${String(ctx.maxLoopItems)} (maxLoopItems)`,
    );
  record.input = ctx.redactor.value({ items: items.length });
  await ctx.save(record);

  const inner = step.steps ?? [];
  const outputs: (Record<string, unknown> | null)[] = items.map(() => null);
  let failure: StepRecord | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      const iteration: Scope = {
        trigger: scope.trigger,
        steps: { ...scope.steps },
        item: items[index],
        index,
      };
      const outcome = await runSteps(ctx, inner, iteration, `${place.key}[${String(index)}].`, {
        key: place.key,
        index,
      });
      const out: Record<string, unknown> = {};
      for (const s of inner) {
        const done = iteration.steps[s.id];
        if (done !== undefined) out[s.id] = done.output;
      }
      outputs[index] = out;
      if (outcome.failed !== undefined) failure ??= outcome.failed;
    }
  };
  const width = Math.min(step.concurrency ?? 1, Math.max(items.length, 1));
  await Promise.all(Array.from({ length: width }, worker));
  const output = outputs;
  if (failure !== undefined) {
    return finish(
      ctx,
      record,
      {
        status: 'failed',
        output,
        error: {
          type: failure.error?.type ?? 'failed',
          message: `Iteration ${String(failure.itemIndex ?? 0)} failed at step "${failure.stepId}": ${failure.error?.message ?? failure.status}`,
          ...(failure.error?.hint === undefined ? {} : { hint: failure.error.hint }),
        },
      },
      started,
    );
  }
  return finish(ctx, record, { status: 'succeeded', output }, started);
}

/** The run's output: the document's `output` template, or the last top-level step's output. */
export function runOutput(document: WorkflowDocument, scope: Scope, last: StepRecord | undefined): unknown {
  if (document.output !== undefined) return resolveValue(document.output, scope);
  return last?.output;
}
