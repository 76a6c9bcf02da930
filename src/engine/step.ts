/**
 * Runs one operation step: the unit a queue worker would run. It depends only on its context (the
 * store, the run, credentials and clients) and the scope references read — not on who called it.
 *
 * Crash safety: a record is written before the request can leave (status `running`, phase
 * `sending`, the resolved input and the generated ids) and after it (the outcome). A resume or
 * replay passes the earlier record as `prior`: finished steps are reused, generated ids are sent
 * again unchanged, and a send that cannot be deduplicated and may have left becomes
 * `delivery_unknown` instead of being sent a second time.
 */
import type { Client, PreparedCall } from '../client.js';
import { CiocError, DeliveryUnknownError, ValidationError } from '../errors.js';
import { findOperation } from '../operations/registry.js';
import type { Redactor } from '../redact.js';
import type { ResolvedAuthentication } from '../store/auth-store.js';
import type { Exchange } from '../transport/transport.js';
import { ulid } from '../ulid.js';
import { evaluateCondition } from '../workflows/conditions.js';
import type { Step } from '../workflows/document.js';
import { resolveValue } from '../workflows/references.js';
import type { ClientPool } from './authentications.js';
import { recordError, recordExchange, round } from './record.js';
import type { RecordedExchange, RunRecord, StepRecord, TriggerData } from './types.js';

/** What a step's references can read: `$.trigger`, `$.steps.<id>`, `$.item`, `$.index`. */
export interface Scope {
  trigger: TriggerData;
  steps: Record<string, { status: string; output: unknown; error: unknown; attempts: number }>;
  item?: unknown;
  index?: number;
}

export interface PriorStep {
  record: StepRecord;
  /** Reuse the record's outcome instead of running the step (else only its generated ids). */
  reuse: boolean;
}

export interface StepContext {
  /**
   * Writes a step record while this engine still holds the run; throws `ClaimLostError` (and
   * writes nothing) once another engine took it over. The `sending` record is written through it
   * right before a request may leave, so a run taken over never sends again from here.
   */
  save(step: StepRecord): Promise<void>;
  readonly run: RunRecord;
  readonly redactor: Redactor;
  readonly clients: ClientPool;
  /** The run's authentications, resolved when it started (by name; `""` + connector for defaults). */
  authentication(name: string | undefined, connector: string): ResolvedAuthentication | CiocError;
  readonly bodyLimit: number;
  readonly maxLoopItems: number;
  readonly prior: ReadonlyMap<string, PriorStep>;
  nextSeq(): number;
}

export interface Place {
  key: string;
  parentKey: string | null;
  itemIndex: number | null;
}

const INTERRUPTED_HINT =
  'The run stopped while this request was being sent. It may have reached Customer.io, and it cannot be deduplicated, so it was not sent again: check whether it took effect before replaying the run.';

export function newRecord(ctx: StepContext, step: Step, place: Place): StepRecord {
  return {
    runId: ctx.run.id,
    key: place.key,
    stepId: step.id,
    parentKey: place.parentKey,
    itemIndex: place.itemIndex,
    seq: ctx.nextSeq(),
    operation: step.operation ?? null,
    authentication: step.authentication ?? null,
    status: 'running',
    phase: null,
    resendable: null,
    attempts: 0,
    generatedIds: [],
    input: undefined,
    output: undefined,
    error: null,
    exchanges: [],
    reusedFrom: null,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    durationMs: null,
  };
}

/** A finished record from before (resume: this run's; replay: the replayed run's, copied). */
export async function reusePrior(ctx: StepContext, prior: StepRecord): Promise<StepRecord> {
  if (prior.runId === ctx.run.id) return prior;
  const copy: StepRecord = {
    ...prior,
    runId: ctx.run.id,
    seq: ctx.nextSeq(),
    reusedFrom: prior.reusedFrom ?? prior.runId,
  };
  await ctx.save(copy);
  return copy;
}

export async function finish(
  ctx: StepContext,
  record: StepRecord,
  outcome: Pick<StepRecord, 'status'> & Partial<StepRecord>,
  started: number,
): Promise<StepRecord> {
  const done: StepRecord = {
    ...record,
    ...outcome,
    phase: null,
    finishedAt: new Date().toISOString(),
    durationMs: round(performance.now() - started),
  };
  await ctx.save(done);
  return done;
}

export async function executeStep(
  ctx: StepContext,
  step: Step,
  scope: Scope,
  place: Place,
): Promise<StepRecord> {
  const prior = ctx.prior.get(place.key);
  if (prior?.reuse === true) return reusePrior(ctx, prior.record);
  const started = performance.now();
  const record = newRecord(ctx, step, place);

  if (
    prior !== undefined &&
    prior.record.runId === ctx.run.id &&
    prior.record.phase === 'sending' &&
    prior.record.resendable === false
  ) {
    return finish(
      ctx,
      { ...prior.record, seq: record.seq },
      {
        status: 'delivery_unknown',
        error: {
          type: 'delivery_unknown',
          message: `${step.operation ?? step.id} may have been delivered; not sent again after the run was interrupted`,
          hint: INTERRUPTED_HINT,
        },
      },
      started,
    );
  }

  if (step.when !== undefined && !evaluateCondition(step.when, scope))
    return finish(ctx, record, { status: 'skipped' }, started);

  const operation = findOperation(step.operation ?? '');
  const input = ctx.redactor.value(resolveValue(step.input ?? {}, scope));
  record.input = input;
  if (operation === undefined)
    return fail(ctx, record, new ValidationError(`Unknown operation "${step.operation ?? ''}"`), started);

  const auth = ctx.authentication(step.authentication, operation.connector);
  if (auth instanceof CiocError) return fail(ctx, record, auth, started);
  record.authentication = auth.name;
  let client: Client;
  let call: PreparedCall;
  const seeds = prior?.record.generatedIds ?? [];
  const generated: string[] = [];
  try {
    client = ctx.clients.for(auth);
    call = client.prepare(operation.id, input, {
      newId: () => {
        const id = seeds[generated.length] ?? ulid();
        generated.push(id);
        return id;
      },
    });
  } catch (error) {
    // Invalid resolved input (or an unusable authentication): nothing was sent.
    return fail(ctx, record, error, started);
  }

  // Before anything can leave: the ids and whether a resend would be harmless.
  record.phase = 'sending';
  record.resendable = call.idempotent;
  record.generatedIds = generated;
  await ctx.save(record);

  const exchanges: RecordedExchange[] = [];
  const onExchange = (exchange: Exchange): void => {
    exchanges.push(recordExchange(exchange, ctx.redactor, ctx.bodyLimit));
  };
  try {
    const output = ctx.redactor.value(
      await client.send(call, {
        onExchange,
        ...(step.retries === undefined ? {} : { maxRetries: step.retries }),
        ...(step.timeout_ms === undefined ? {} : { timeoutMs: step.timeout_ms }),
      }),
    );
    return await finish(
      ctx,
      record,
      { status: 'succeeded', output, exchanges, attempts: exchanges.length },
      started,
    );
  } catch (error) {
    return finish(
      ctx,
      record,
      {
        status: error instanceof DeliveryUnknownError ? 'delivery_unknown' : 'failed',
        error: recordError(error, ctx.redactor),
        exchanges,
        attempts: exchanges.length,
      },
      started,
    );
  }
}

export function fail(
  ctx: StepContext,
  record: StepRecord,
  error: unknown,
  started: number,
): Promise<StepRecord> {
  return finish(ctx, record, { status: 'failed', error: recordError(error, ctx.redactor) }, started);
}
