/**
 * The schedule trigger: each workflow whose trigger is `{ "type": "schedule", "cron", "timezone" }`
 * starts a run at every occurrence (croner computes them, in the workflow's time zone). One timer
 * for the earliest occurrence; time comes from an injectable clock.
 *
 * Each tick fired is recorded as the trigger key `schedule:<ISO time>`, so a tick starts at most
 * one run even with two servers on one store. Ticks that passed while the server was down are
 * **reported, not replayed**: at start-up they are counted and recorded as
 * `schedule-missed:<last>|<first>|<count>` (shown on `GET /api/workflows/:id` and logged); the
 * schedule then goes on from the next occurrence.
 */
import type { Engine } from '../../engine/engine.js';
import type { VisibleWorkflow, WorkflowAccess } from '../../store/workflow-access.js';
import { scheduleOf } from './check.js';
import type { Clock, Timer } from './clock.js';

export interface MissedTicks {
  first: string;
  last: string;
  count: number;
  detected_at: string;
}

export interface ScheduleStatus {
  cron: string;
  timezone: string;
  next_run_at: string | null;
  missed: MissedTicks[];
}

interface Entry {
  workflowId: string;
  cron: string;
  timezone: string;
  next: number | null;
}

/** Counting missed ticks stops here (a per-second cron down for a month is "at least" this many). */
const MAX_COUNTED = 10_000;
const FIRED = 'schedule:';
const MISSED = 'schedule-missed:';

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      access: WorkflowAccess;
      engine: Engine;
      clock: Clock;
      warn: (message: string, details: Record<string, unknown>) => void;
    },
  ) {}

  /** Loads every scheduled workflow, reports the ticks missed while nothing ran them, and arms. */
  async start(): Promise<void> {
    for (const workflow of await this.deps.access.withTrigger('schedule')) {
      const entry = this.entryOf(workflow);
      if (entry === undefined) continue;
      await this.reportMissed(workflow, entry);
      this.entries.set(workflow.id, entry);
    }
    this.arm();
  }

  /** After a workflow is saved or deleted: follow its current trigger from now on. */
  async refresh(workflowId: string): Promise<void> {
    this.entries.delete(workflowId);
    const workflow = await this.deps.access.get(workflowId);
    const entry = workflow === undefined ? undefined : this.entryOf(workflow);
    if (entry !== undefined) this.entries.set(workflowId, entry);
    this.arm();
  }

  async status(workflowId: string): Promise<ScheduleStatus | undefined> {
    const entry = this.entries.get(workflowId);
    if (entry === undefined) return undefined;
    const missed = (await this.deps.access.triggerKeys(workflowId, MISSED, 20)).map((k) =>
      parseMissed(k.key, k.createdAt),
    );
    return {
      cron: entry.cron,
      timezone: entry.timezone,
      next_run_at: entry.next === null ? null : new Date(entry.next).toISOString(),
      missed: missed.filter((m): m is MissedTicks => m !== undefined),
    };
  }

  stop(): void {
    this.stopped = true;
    this.timer?.clear();
    this.timer = undefined;
  }

  private entryOf(workflow: VisibleWorkflow): Entry | undefined {
    const trigger = workflow.document.trigger as Record<string, unknown>;
    if (trigger['type'] !== 'schedule' || typeof trigger['cron'] !== 'string') return undefined;
    const timezone = typeof trigger['timezone'] === 'string' ? trigger['timezone'] : 'UTC';
    const entry: Entry = { workflowId: workflow.id, cron: trigger['cron'], timezone, next: null };
    entry.next = this.nextAfter(entry, this.deps.clock.now());
    return entry;
  }

  private nextAfter(entry: Entry, at: number): number | null {
    try {
      return scheduleOf(entry.cron, entry.timezone).nextRun(new Date(at))?.getTime() ?? null;
    } catch {
      return null;
    }
  }

  private async reportMissed(workflow: VisibleWorkflow, entry: Entry): Promise<void> {
    const [fired] = await this.deps.access.triggerKeys(workflow.id, FIRED, 1);
    const [reported] = await this.deps.access.triggerKeys(workflow.id, MISSED, 1);
    const baseline = Math.max(
      Date.parse(workflow.updatedAt),
      fired === undefined ? 0 : Date.parse(fired.key.slice(FIRED.length)),
      reported === undefined ? 0 : Date.parse(reported.key.slice(MISSED.length).split('|')[0] ?? ''),
    );
    const now = this.deps.clock.now();
    let first: number | undefined;
    let last: number | undefined;
    let count = 0;
    for (
      let t = this.nextAfter(entry, baseline);
      t !== null && t <= now && count < MAX_COUNTED;
      t = this.nextAfter(entry, t)
    ) {
      first ??= t;
      last = t;
      count++;
    }
    if (first === undefined || last === undefined) return;
    const detectedAt = new Date(now).toISOString();
    const firstIso = new Date(first).toISOString();
    const lastIso = new Date(last).toISOString();
    await this.deps.access.addTriggerKey(
      workflow.id,
      `${MISSED}${lastIso}|${firstIso}|${String(count)}`,
      detectedAt,
    );
    this.deps.warn('Scheduled runs were missed while the server was down; they are not run now', {
      workflow_id: workflow.id,
      first: firstIso,
      last: lastIso,
      count,
    });
  }

  private arm(): void {
    this.timer?.clear();
    this.timer = undefined;
    if (this.stopped) return;
    let earliest: number | undefined;
    for (const entry of this.entries.values())
      if (entry.next !== null && (earliest === undefined || entry.next < earliest)) earliest = entry.next;
    if (earliest === undefined) return;
    this.timer = this.deps.clock.setTimeout(() => this.fire(), earliest - this.deps.clock.now());
  }

  private async fire(): Promise<void> {
    const now = this.deps.clock.now();
    for (const entry of this.entries.values()) {
      if (entry.next === null || entry.next > now) continue;
      const tick = new Date(entry.next).toISOString();
      entry.next = this.nextAfter(entry, now);
      try {
        await this.deps.engine.startRun(
          { workflowId: entry.workflowId },
          { type: 'schedule', body: { scheduled_at: tick, cron: entry.cron, timezone: entry.timezone } },
          { idempotencyKey: `${FIRED}${tick}` },
        );
      } catch (error) {
        this.deps.warn('A scheduled run could not be started', {
          workflow_id: entry.workflowId,
          scheduled_at: tick,
          error: (error as Error).message,
        });
      }
    }
    this.arm();
  }
}

function parseMissed(key: string, createdAt: string): MissedTicks | undefined {
  const [last, first, count] = key.slice(MISSED.length).split('|');
  if (last === undefined || first === undefined || count === undefined) return undefined;
  return { first, last, count: Number(count), detected_at: createdAt };
}
