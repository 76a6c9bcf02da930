/**
 * Executes one run from its first unfinished step to its end: the function a queue worker calls
 * with a run id. It needs only a `RunRuntime` (store, clients, documents, authentications).
 */
import { CiocError, ConfigError } from '../errors.js';
import type { ResolvedAuthentication } from '../store/auth-store.js';
import type { WorkflowDocument } from '../workflows/document.js';
import type { ClientPool } from './authentications.js';
import { recordError, redactorFor, round } from './record.js';
import { runOutput, runSteps } from './run.js';
import type { PriorStep, Scope, StepContext } from './step.js';
import type { EngineStore } from './store.js';
import { ClaimLostError } from './claims.js';
import type { RunRecord } from './types.js';

export interface RunRuntime {
  store: EngineStore;
  clients: ClientPool;
  bodyLimit: number;
  /** Most items a `for_each` loop takes. */
  maxLoopItems: number;
  identity: string;
  document(workflowId: string, version: number): Promise<WorkflowDocument>;
  authentications(
    document: WorkflowDocument,
    ownerId: number,
  ): Promise<{
    found: Map<string, ResolvedAuthentication | CiocError>;
    redactor: ReturnType<typeof redactorFor>;
  }>;
}

export const TERMINAL = new Set(['succeeded', 'failed', 'skipped', 'delivery_unknown']);

export function authKey(name: string | undefined, connector: string): string {
  return name === undefined ? `\u0000default:${connector}` : `${connector}\u0000${name}`;
}

/**
 * Executes (or resumes) one run to its end: the function a queue worker would call with a run id.
 * `prior` holds earlier step records to reuse (resume, replay).
 */
export async function executeRun(
  engine: { runtime: RunRuntime },
  runOrId: string | RunRecord,
  prior: ReadonlyMap<string, PriorStep>,
  resolved?: Resolved,
  /** Aborted when this engine learns (from its heartbeat) that another one took the run over. */
  signal?: AbortSignal,
): Promise<void> {
  const rt = engine.runtime;
  const run = typeof runOrId === 'string' ? await rt.store.getRun(runOrId) : runOrId;
  if (run === undefined) return;
  const document = await rt.document(run.workflowId, run.workflowVersion);
  const { found, redactor } = resolved ?? (await rt.authentications(document, run.ownerId));
  const started = performance.now();
  const startedAt = run.startedAt ?? new Date().toISOString();
  const claim = rt.identity;
  // Every write checks the claim: once another engine took the run over, this one stops before
  // it can send anything (the takeover is a compare-and-set on `claimed_by`).
  const held = (ok: boolean): void => {
    if (!ok || signal?.aborted === true) throw new ClaimLostError(run.id);
  };
  held(await rt.store.updateRun(run.id, { status: 'running', startedAt }, claim));
  let seq = 0;
  for (const p of prior.values()) if (p.record.runId === run.id) seq = Math.max(seq, p.record.seq);
  const ctx: StepContext = {
    save: async (step) => {
      held(signal?.aborted !== true);
      held(await rt.store.putStep(step, claim));
    },
    run,
    redactor,
    clients: rt.clients,
    bodyLimit: rt.bodyLimit,
    maxLoopItems: rt.maxLoopItems,
    prior,
    nextSeq: () => ++seq,
    authentication: (name, connector) =>
      found.get(authKey(name, connector)) ?? new ConfigError(`No authentication for the ${connector} step`),
  };
  const scope: Scope = { trigger: run.trigger, steps: {} };
  let outcome;
  try {
    outcome = await runSteps(ctx, document.steps, scope, '', null);
  } catch (error) {
    if (error instanceof ClaimLostError) throw error;
    await rt.store.updateRun(
      run.id,
      { status: 'failed', error: recordError(error, redactor), finishedAt: new Date().toISOString() },
      claim,
    );
    throw error;
  }
  const failed = outcome.failed;
  let output: unknown = null;
  try {
    output = redactor.value(runOutput(document, scope, outcome.last)) ?? null;
  } catch {
    output = null;
  }
  const finished = await rt.store.updateRun(
    run.id,
    {
      status: failed === undefined ? 'succeeded' : 'failed',
      output,
      error:
        failed === undefined
          ? null
          : {
              type: failed.error?.type ?? failed.status,
              message: `Step "${failed.key}" ${failed.status === 'delivery_unknown' ? 'may have been delivered (delivery unknown)' : 'failed'}: ${failed.error?.message ?? ''}`,
              ...(failed.error?.hint === undefined ? {} : { hint: failed.error.hint }),
              step: failed.key,
            },
      finishedAt: new Date().toISOString(),
      durationMs: round(performance.now() - started),
    },
    claim,
  );
  held(finished);
}

export type Resolved = Awaited<ReturnType<RunRuntime['authentications']>>;
