/**
 * The engine: `createEngine({ store, authentications })`, then `startRun`, `waitForRun`, `getRun`,
 * `replay`, `replayFailed`, `resumeInterrupted`, `prune`, `close`.
 *
 * Runs are queued in the store first, then executed by this process with at most `concurrency`
 * at once (the rate limits are per process already, shared by every run). A queue worker later
 * calls the same `executeRun` (`execute-run.ts`) for a run id it was given.
 */
import { hostname } from 'node:os';
import { CiocError, ConfigError, ValidationError, errorToJson } from '../errors.js';
import { findOperation } from '../operations/registry.js';
import type { ConnectorId } from '../regions.js';
import type { ResolvedAuthentication } from '../store/auth-store.js';
import { ulid } from '../ulid.js';
import { assertWorkflow } from '../workflows/validate.js';
import type { Step, WorkflowDocument } from '../workflows/document.js';
import { ClientPool, type AuthenticationResolver, type ClientDefaults } from './authentications.js';
import { DEFAULT_BODY_LIMIT, redactorFor } from './record.js';
import type { PriorStep } from './step.js';
import type { EngineStore } from './store.js';
import type { RunRecord, TriggerData } from './types.js';
import { runView, type RunView } from './view.js';
import { authKey, executeRun, TERMINAL, type Resolved, type RunRuntime } from './execute-run.js';
import { replayPlan } from './replay-plan.js';
import { ClaimLostError, isDeadHere } from './claims.js';
import { exceedsDepth, MAX_INPUT_DEPTH, protoKeyPointer } from '../workflows/depth.js';
import { DEFAULT_MAX_LOOP_ITEMS } from './run.js';

export interface EngineOptions {
  store: EngineStore;
  authentications: AuthenticationResolver;
  /** Runs executed at once by this process (default 4). */
  concurrency?: number | undefined;
  /** Options for the clients steps use (region `emulator` URL, retry defaults, a dispatcher…). */
  client?: ClientDefaults | undefined;
  /** Largest request or response body kept in a run record, in characters (default 64 KiB). */
  bodyLimit?: number | undefined;
  /** Keep the newest N finished runs per workflow and/or those finished in the last N days. */
  retention?:
    | { keepRuns?: number | undefined; keepDays?: number | undefined; intervalMs?: number | undefined }
    | undefined;
  /**
   * How long a resolved authentication is reused by later runs of the same owner (default 1000 ms;
   * 0 resolves it for every run). A changed or deleted authentication takes effect after this.
   */
  authenticationCacheMs?: number | undefined;
  /** How long without a heartbeat before another engine may resume a run (default 60 s). */
  staleAfterMs?: number | undefined;
  /**
   * Told about a background failure (a heartbeat, retention or failed-run write that failed). Default: a
   * process warning. A run whose heartbeat keeps failing may be resumed by another engine; its
   * claim check then stops it here.
   */
  /** Most items a `for_each` loop takes (default 10,000); more fails the loop step clearly. */
  maxLoopItems?: number | undefined;
  onBackgroundError?: ((error: unknown, task: 'heartbeat' | 'retention' | 'run-record') => void) | undefined;
}

export type RunTarget =
  | {
      workflowId: string;
      version?: number | undefined;
      /**
       * The user whose authentications the run uses (their Personal ones and the organisation's):
       * whoever started it by hand. Default: the workflow's owner (webhooks, schedules).
       */
      runAs?: number | undefined;
    }
  /** A document run as its owner (the CLI): saved as that owner's workflow of the same name. */
  | { document: unknown; ownerId: number };

export interface StartOptions {
  /** Starts at most one run per key and workflow (webhook Idempotency-Key, Customer.io event_id). */
  idempotencyKey?: string | undefined;
}

export interface ReplayOptions {
  /** Run the workflow version the run ran (default) or the workflow's latest. */
  version?: 'original' | 'latest' | undefined;
  /**
   * Send again a step whose delivery is unknown (it may have reached Customer.io). Without it, a
   * replay that would resend one is refused.
   */
  resendUnknown?: boolean | undefined;
  /** The user whose authentications the replay uses (default: the replayed run's). */
  runAs?: number | undefined;
}

export interface ReplayFailedResult {
  /** The ids of the replays started, oldest replayed run first. */
  started: string[];
  /** The failed runs not replayed, and why. */
  skipped: { runId: string; reason: string }[];
}

export interface Engine {
  startRun(target: RunTarget, trigger?: Partial<TriggerData>, options?: StartOptions): Promise<string>;
  waitForRun(runId: string, options?: { timeoutMs?: number }): Promise<RunView>;
  getRun(runId: string): Promise<RunView | undefined>;
  replay(runId: string, options?: ReplayOptions): Promise<string>;
  /**
   * Replays every failed run of a time range (each once: a run already replayed successfully, or
   * being replayed, is skipped; one whose replay failed is replayed from that replay). Runs it
   * must refuse are skipped with the reason; it never stops partway.
   */
  replayFailed(
    workflowId: string,
    range: { from?: string; to?: string },
    options?: ReplayOptions,
  ): Promise<ReplayFailedResult>;
  /** Resumes runs left unfinished by a process that died (or stopped beating), optionally one owner's. */
  resumeInterrupted(options?: { ownerId?: number | undefined }): Promise<string[]>;
  prune(): Promise<number>;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 10_000;

export function createEngine(options: EngineOptions): Engine {
  return new WorkflowEngine(options);
}

interface Queued {
  runId: string;
  prior: Map<string, PriorStep>;
  /** Authentications already resolved when the run was started (resolved again otherwise). */
  resolved: Resolved | undefined;
  /** The run as just created (read from the store otherwise). */
  run: RunRecord | undefined;
  done: Promise<void>;
  resolve: () => void;
  /** Aborted when another engine took the run over. */
  abort: AbortController;
}

class WorkflowEngine implements Engine {
  private readonly store: EngineStore;
  private readonly clients: ClientPool;
  private readonly concurrency: number;
  private readonly bodyLimit: number;
  private readonly identity = `${hostname()}:${String(process.pid)}:${ulid()}`;
  private readonly waiting: Queued[] = [];
  private readonly active = new Map<string, Queued>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(private readonly options: EngineOptions) {
    this.store = options.store;
    this.clients = new ClientPool(options.client);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
    const heartbeat = setInterval(() => {
      void this.beat();
    }, HEARTBEAT_MS);
    heartbeat.unref();
    this.timers.push(heartbeat);
    const retention = options.retention;
    if (retention !== undefined && (retention.keepRuns !== undefined || retention.keepDays !== undefined)) {
      const prune = setInterval(
        () => {
          void this.prune().catch((error: unknown) => {
            this.reportBackground(error, 'retention');
          });
        },
        retention.intervalMs ?? 60 * 60_000,
      );
      prune.unref();
      this.timers.push(prune);
    }
  }

  async startRun(
    target: RunTarget,
    trigger: Partial<TriggerData> = {},
    options: StartOptions = {},
  ): Promise<string> {
    this.assertOpen();
    for (const [part, value] of Object.entries(trigger)) {
      if (exceedsDepth(value, MAX_INPUT_DEPTH))
        throw new ValidationError(
          `The trigger's ${part} nests deeper than ${String(MAX_INPUT_DEPTH)} levels; flatten it`,
        );
      const proto = protoKeyPointer(value);
      if (proto !== undefined)
        throw new ValidationError(`The trigger's ${part} has a "__proto__" key (at ${proto}); rename it`);
    }
    const { workflowId, version, ownerId } = await this.target(target);
    const run: RunRecord = {
      id: ulid(),
      workflowId,
      workflowVersion: version,
      ownerId,
      trigger: {
        type: trigger.type ?? 'manual',
        body: trigger.body ?? {},
        headers: trigger.headers ?? {},
        query: trigger.query ?? {},
      },
      replayOf: null,
      ...this.freshRunState(),
    };
    // Stored redacted, like everything of a run: a credential pasted into a trigger is not kept.
    const document = await this.document(workflowId, version);
    const auths = await this.resolveAuthentications(document, ownerId);
    run.trigger = auths.redactor.value(run.trigger) as TriggerData;
    const { created, runId } = await this.store.createRun(run, options.idempotencyKey);
    if (created) this.enqueue(runId, new Map(), auths, run);
    return runId;
  }

  async waitForRun(runId: string, options: { timeoutMs?: number } = {}): Promise<RunView> {
    const deadline = Date.now() + (options.timeoutMs ?? 5 * 60_000);
    for (;;) {
      const local = this.active.get(runId) ?? this.waiting.find((q) => q.runId === runId);
      if (local !== undefined) await local.done;
      const view = await this.getRun(runId);
      if (view === undefined) throw new ValidationError(`There is no run ${runId}`);
      if (view.status === 'succeeded' || view.status === 'failed') return view;
      if (Date.now() > deadline || this.closed) return view;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async getRun(runId: string): Promise<RunView | undefined> {
    const run = await this.store.getRun(runId);
    if (run === undefined) return undefined;
    return runView(run, await this.store.getSteps(runId));
  }

  async replay(runId: string, options: ReplayOptions = {}): Promise<string> {
    this.assertOpen();
    const requested = await this.store.getRun(runId);
    if (requested === undefined) throw new ValidationError(`There is no run ${runId}`);
    return this.replayAttempt(await this.latestAttempt(requested), options);
  }

  async replayFailed(
    workflowId: string,
    range: { from?: string; to?: string },
    options: ReplayOptions = {},
  ): Promise<ReplayFailedResult> {
    this.assertOpen();
    const failed = await this.store.listRuns({
      workflowId,
      status: 'failed',
      from: range.from,
      to: range.to,
      limit: 10_000,
    });
    const result: ReplayFailedResult = { started: [], skipped: [] };
    // Resolved first, then replayed: a run and its failed replay (both in the range) are one
    // attempt chain, replayed once.
    const attempts = new Map<string, RunRecord>();
    for (const run of failed.reverse()) {
      try {
        const attempt = await this.latestAttempt(run);
        attempts.set(attempt.id, attempt);
      } catch (error) {
        result.skipped.push({ runId: run.id, reason: errorToJson(error).message });
      }
    }
    for (const attempt of attempts.values()) {
      try {
        result.started.push(await this.replayAttempt(attempt, options));
      } catch (error) {
        // Even a store failure: the replays already started are reported, never lost.
        result.skipped.push({ runId: attempt.id, reason: errorToJson(error).message });
      }
    }
    return result;
  }

  /**
   * The newest attempt of a failed run: the run itself, or the newest failed replay of it (of
   * that replay…), so that what a replay already sent is never sent again. Refused when a replay
   * succeeded or is still unfinished.
   */
  private async latestAttempt(run: RunRecord): Promise<RunRecord> {
    if (run.status !== 'failed') return run;
    let current = run;
    for (let depth = 0; depth < 1000; depth++) {
      const replays = await this.store.listRuns({
        workflowId: current.workflowId,
        replayOf: current.id,
        limit: 1000,
      });
      const succeeded = replays.find((r) => r.status === 'succeeded');
      if (succeeded !== undefined)
        throw new ValidationError(`Run ${run.id} was already replayed successfully by run ${succeeded.id}`);
      const unfinished = replays.find((r) => r.status !== 'failed');
      if (unfinished !== undefined)
        throw new ValidationError(`Run ${run.id} is being replayed by run ${unfinished.id}; wait for it`);
      const newest = replays[0];
      if (newest === undefined) return current;
      current = newest;
    }
    return current;
  }

  /** What every new run (first or replay) starts with: queued, claimed by this engine, not started. */
  private freshRunState() {
    const now = new Date().toISOString();
    return {
      status: 'queued',
      output: null,
      error: null,
      claimedBy: this.identity,
      heartbeatAt: now,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
    } satisfies Partial<RunRecord>;
  }

  private async replayAttempt(original: RunRecord, options: ReplayOptions): Promise<string> {
    const runId = original.id;
    if (original.status !== 'succeeded' && original.status !== 'failed')
      throw new ValidationError(`Run ${runId} is ${original.status}; only a finished run can be replayed`);
    const workflow = await this.store.getWorkflow(original.workflowId);
    if (workflow === undefined) throw new ValidationError(`The workflow of run ${runId} no longer exists`);
    const version = options.version === 'latest' ? workflow.currentVersion : original.workflowVersion;
    const document = await this.document(original.workflowId, version);
    const steps = await this.store.getSteps(runId);
    const prior = replayPlan(document, steps, options.resendUnknown === true);
    const run: RunRecord = {
      ...original,
      id: ulid(),
      workflowVersion: version,
      ownerId: options.runAs ?? original.ownerId,
      replayOf: runId,
      ...this.freshRunState(),
    };
    await this.store.createRun(run);
    this.enqueue(run.id, prior);
    return run.id;
  }

  async resumeInterrupted(options: { ownerId?: number | undefined } = {}): Promise<string[]> {
    this.assertOpen();
    const resumed: string[] = [];
    const staleBefore = Date.now() - (this.options.staleAfterMs ?? 60_000);
    for (const run of await this.store.unfinishedRuns()) {
      if (this.active.has(run.id) || this.waiting.some((q) => q.runId === run.id)) continue;
      if (options.ownerId !== undefined && run.ownerId !== options.ownerId) continue;
      const beat = Date.parse(run.heartbeatAt ?? run.createdAt);
      if (!(isDeadHere(run.claimedBy) || beat < staleBefore)) continue;
      if (!(await this.store.claimRun(run.id, run.claimedBy, this.identity, new Date().toISOString())))
        continue;
      this.enqueue(run.id, await this.resumePlan(run));
      resumed.push(run.id);
    }
    return resumed;
  }

  /**
   * What an interrupted run reuses: its own finished steps; and, for a replay, first the plan it
   * was started with (the replayed run's steps), so a step the replay had not reached yet keeps
   * the replayed run's generated ids and a delivered send that cannot be deduplicated is still
   * reused, never sent again. The replay was allowed when it started (`resend_unknown` included),
   * so the plan is rebuilt with that consent.
   */
  private async resumePlan(run: RunRecord): Promise<Map<string, PriorStep>> {
    const prior = new Map<string, PriorStep>();
    if (run.replayOf !== null) {
      const original = await this.store.getSteps(run.replayOf);
      if (original.length > 0) {
        const document = await this.document(run.workflowId, run.workflowVersion);
        for (const [key, step] of replayPlan(document, original, true)) prior.set(key, step);
      }
    }
    for (const step of await this.store.getSteps(run.id))
      prior.set(step.key, { record: step, reuse: TERMINAL.has(step.status) });
    return prior;
  }

  async prune(): Promise<number> {
    const retention = this.options.retention ?? {};
    return this.store.pruneRuns({
      keepRuns: retention.keepRuns,
      before:
        retention.keepDays === undefined
          ? undefined
          : new Date(Date.now() - retention.keepDays * 86_400_000).toISOString(),
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearInterval(timer);
    // Runs not started stay queued in the store (a later resumeInterrupted takes them up).
    for (const queued of this.waiting.splice(0)) queued.resolve();
    await Promise.all([...this.active.values()].map((q) => q.done));
    await this.clients.close();
  }

  // ------------------------------------------------------------------ internals

  /** Beats for the active runs; a run another engine took over is stopped here. */
  private async beat(): Promise<void> {
    try {
      const lost = await this.store.heartbeat(
        [...this.active.keys()],
        new Date().toISOString(),
        this.identity,
      );
      for (const id of lost) this.active.get(id)?.abort.abort();
    } catch (error) {
      this.reportBackground(error, 'heartbeat');
    }
  }

  private reportBackground(error: unknown, task: 'heartbeat' | 'retention' | 'run-record'): void {
    const report = this.options.onBackgroundError;
    if (report !== undefined) report(error, task);
    else process.emitWarning(`Workflow engine ${task} failed: ${errorToJson(error).message}`);
  }

  private assertOpen(): void {
    if (this.closed) throw new ConfigError('The engine is closed');
  }

  private async target(target: RunTarget): Promise<{ workflowId: string; version: number; ownerId: number }> {
    if ('workflowId' in target) {
      const workflow = await this.store.getWorkflow(target.workflowId);
      if (workflow === undefined) throw new ValidationError(`There is no workflow ${target.workflowId}`);
      return {
        workflowId: workflow.id,
        version: target.version ?? workflow.currentVersion,
        ownerId: target.runAs ?? workflow.ownerId,
      };
    }
    const document = assertWorkflow(target.document);
    const existing = await this.store.findWorkflowByName(target.ownerId, document.name);
    const saved = await this.store.saveWorkflow({
      ownerId: target.ownerId,
      document,
      workflowId: existing?.id,
    });
    return { workflowId: saved.workflow.id, version: saved.version, ownerId: target.ownerId };
  }

  private readonly documents = new Map<string, WorkflowDocument>();
  private readonly authCache = new Map<string, { auth: ResolvedAuthentication; until: number }>();

  private async document(workflowId: string, version: number): Promise<WorkflowDocument> {
    const key = `${workflowId}@${String(version)}`;
    let document = this.documents.get(key);
    if (document === undefined) {
      const found = await this.store.getWorkflowVersion(workflowId, version);
      if (found === undefined)
        throw new ValidationError(`Workflow ${workflowId} has no version ${String(version)}`);
      document = found.document;
      if (this.documents.size > 200) this.documents.clear();
      this.documents.set(key, document);
    }
    return document;
  }

  /** Every authentication the document's steps name, resolved once per run (and the redactor). */
  private async resolveAuthentications(document: WorkflowDocument, ownerId: number) {
    const found = new Map<string, ResolvedAuthentication | CiocError>();
    const wanted = new Map<string, { name: string | undefined; connector: ConnectorId }>();
    const visit = (steps: readonly Step[]): void => {
      for (const step of steps) {
        if (step.steps !== undefined) visit(step.steps);
        const operation = findOperation(step.operation ?? '');
        if (operation === undefined) continue;
        wanted.set(authKey(step.authentication, operation.connector), {
          name: step.authentication,
          connector: operation.connector,
        });
      }
    };
    visit(document.steps);
    const ttl = this.options.authenticationCacheMs ?? 1000;
    const now = Date.now();
    for (const [key, { name, connector }] of wanted) {
      const cacheKey = `${String(ownerId)}\u0000${key}`;
      const cached = this.authCache.get(cacheKey);
      if (cached !== undefined && cached.until > now) {
        found.set(key, cached.auth);
        continue;
      }
      try {
        const auth = await this.options.authentications.resolve(ownerId, name, connector);
        found.set(key, auth);
        if (ttl > 0) {
          if (this.authCache.size > 1000) this.authCache.clear();
          this.authCache.set(cacheKey, { auth, until: now + ttl });
        }
      } catch (error) {
        found.set(key, error instanceof CiocError ? error : new ConfigError(errorToJson(error).message));
      }
    }
    const credentials = [...found.values()].flatMap((a) => (a instanceof CiocError ? [] : [a.credentials]));
    return { found, redactor: redactorFor(credentials) };
  }

  private enqueue(runId: string, prior: Map<string, PriorStep>, resolved?: Resolved, run?: RunRecord): void {
    let resolve!: () => void;
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    this.waiting.push({ runId, prior, resolved, run, done, resolve, abort: new AbortController() });
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.concurrency && this.waiting.length > 0) {
      const next = this.waiting.shift();
      if (next === undefined) return;
      this.active.set(next.runId, next);
      void this.execute(next).finally(() => {
        this.active.delete(next.runId);
        next.resolve();
        this.pump();
      });
    }
  }

  private async execute(queued: Queued): Promise<void> {
    try {
      await executeRun(this, queued.run ?? queued.runId, queued.prior, queued.resolved, queued.abort.signal);
    } catch (error) {
      // Another engine holds the run now: it finishes it; nothing is written from here.
      if (error instanceof ClaimLostError) return;
      // A failure of the engine itself (the store): recorded on the run when possible.
      await this.store
        .updateRun(
          queued.runId,
          { status: 'failed', error: errorToJson(error), finishedAt: new Date().toISOString() },
          this.identity,
        )
        .catch((failure: unknown) => {
          this.reportBackground(failure, 'run-record');
        });
    }
  }

  /** What `executeRun` needs (kept narrow: a queue worker builds the same from its own config). */
  get runtime(): RunRuntime {
    return {
      store: this.store,
      clients: this.clients,
      bodyLimit: this.bodyLimit,
      maxLoopItems: this.options.maxLoopItems ?? DEFAULT_MAX_LOOP_ITEMS,
      identity: this.identity,
      document: (id, version) => this.document(id, version),
      authentications: (document, ownerId) => this.resolveAuthentications(document, ownerId),
    };
  }
}
