/**
 * What the reference picker of a field offers: the trigger, the current loop item, and the
 * outputs of the steps that run before the step being edited (in the same or an enclosing scope,
 * as the server's validation allows), with paths from each operation's output schema and from the
 * last run's actual values. Pure, so the listing is unit-tested.
 */
import type { JsonSchema, Run, Step, WorkflowDocument } from '../types.js';
import { getStep, isLoop, type StepPath } from './doc-edit.js';
import { mergeAllOf } from '../form/field-model.js';

export interface ReferenceOption {
  /** The path, e.g. `$.steps.upsert.output.id`. */
  readonly path: string;
  /** What is inserted: `{{ $.steps.upsert.output.id }}`. */
  readonly expression: string;
  readonly detail: string | undefined;
}

export interface ReferenceGroup {
  readonly label: string;
  readonly options: readonly ReferenceOption[];
}

export interface ReferenceContext {
  readonly doc: WorkflowDocument;
  /** The step whose field takes the reference. */
  readonly at: StepPath;
  /** Output schemas by operation id (those fetched so far). */
  readonly outputSchemas: ReadonlyMap<string, JsonSchema>;
  /** The last run of the workflow, for paths that its actual values have. */
  readonly lastRun?: Run | undefined;
  /** How deep to list nested fields (default 3). */
  readonly depth?: number;
}

const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${String(key)}]`;
  return PLAIN_NAME.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

export const expressionOf = (path: string): string => `{{ ${path} }}`;

function typeLabel(schema: JsonSchema): string | undefined {
  const s = mergeAllOf(schema);
  if (Array.isArray(s.type)) return s.type.join(' | ');
  if (s.type !== undefined) return s.type;
  const alts = s.anyOf ?? s.oneOf;
  if (alts !== undefined) return [...new Set(alts.map((a) => typeLabel(a) ?? 'any'))].join(' | ');
  return undefined;
}

/** Paths below `root` that a schema declares, depth first. */
export function schemaPaths(schema: JsonSchema, root: string, depth: number): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  const walk = (s: JsonSchema, at: string, left: number): void => {
    if (left <= 0) return;
    const merged = mergeAllOf(s);
    for (const [name, child] of Object.entries(merged.properties ?? {})) {
      const path = childPath(at, name);
      out.push([path, child.description ?? typeLabel(child)]);
      walk(child, path, left - 1);
    }
    if (merged.items !== undefined) {
      const path = childPath(at, 0);
      out.push([
        path,
        `first item${merged.items.description === undefined ? '' : `: ${merged.items.description}`}`,
      ]);
      walk(merged.items, path, left - 1);
    }
  };
  walk(schema, root, depth);
  return out;
}

const preview = (value: unknown): string => {
  const text = (JSON.stringify(value) as string | undefined) ?? 'undefined';
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
};

/** Paths below `root` that an actual value has (objects' keys, arrays' first item). */
export function valuePaths(value: unknown, root: string, depth: number): [string, string][] {
  const out: [string, string][] = [];
  const walk = (v: unknown, at: string, left: number): void => {
    if (left <= 0 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      if (v.length === 0) return;
      const path = childPath(at, 0);
      out.push([path, `last run: ${preview(v[0])}`]);
      walk(v[0], path, left - 1);
      return;
    }
    for (const [key, child] of Object.entries(v as Record<string, unknown>).slice(0, 40)) {
      const path = childPath(at, key);
      out.push([path, `last run: ${preview(child)}`]);
      walk(child, path, left - 1);
    }
  };
  walk(value, root, depth);
  return out;
}

function options(entries: readonly [string, string | undefined][]): ReferenceOption[] {
  const seen = new Set<string>();
  const list: ReferenceOption[] = [];
  for (const [path, detail] of entries) {
    if (seen.has(path)) continue;
    seen.add(path);
    list.push({ path, expression: expressionOf(path), detail });
  }
  return list;
}

/** The steps that run before the one at `at` and that it may read, outermost scope first. */
export function earlierSteps(doc: WorkflowDocument, at: StepPath): { step: Step; loops: number }[] {
  const found: { step: Step; loops: number }[] = [];
  let list: readonly Step[] = doc.steps;
  at.forEach((index, depth) => {
    for (const step of list.slice(0, index)) found.push({ step, loops: depth });
    const here = list[index];
    list = here?.steps ?? [];
  });
  return found;
}

/** The loops enclosing the step at `at`, innermost last. */
export function enclosingLoops(doc: WorkflowDocument, at: StepPath): Step[] {
  const loops: Step[] = [];
  for (let i = 1; i < at.length; i++) {
    const step = getStep(doc, at.slice(0, i));
    if (step !== undefined && isLoop(step)) loops.push(step);
  }
  return loops;
}

export function referenceGroups(context: ReferenceContext): ReferenceGroup[] {
  const { doc, at, outputSchemas, lastRun } = context;
  const depth = context.depth ?? 3;
  const groups: ReferenceGroup[] = [];

  const trigger: [string, string | undefined][] = [['$.trigger.body', 'what started the run']];
  if (lastRun !== undefined) trigger.push(...valuePaths(lastRun.trigger.body, '$.trigger.body', depth));
  if (doc.trigger.type !== 'manual' && doc.trigger.type !== 'schedule')
    trigger.push(
      ['$.trigger.headers', 'request headers (lower-case names)'],
      ['$.trigger.query', 'query parameters'],
    );
  trigger.push(['$.trigger.type', 'manual, webhook, schedule or customerio_webhook']);
  groups.push({ label: 'Trigger', options: options(trigger) });

  const loops = enclosingLoops(doc, at);
  const innermost = loops.at(-1);
  if (innermost !== undefined)
    groups.push({
      label: `Loop ${innermost.id}`,
      options: options([
        ['$.item', `the current item of ${innermost.for_each ?? 'the loop'}`],
        ['$.index', 'its position, from 0'],
      ]),
    });

  for (const { step } of earlierSteps(doc, at)) {
    const root = childPath('$.steps', step.id);
    const output = `${root}.output`;
    const entries: [string, string | undefined][] = [];
    if (isLoop(step)) {
      entries.push([output, 'one entry per item: the nested steps’ outputs by id']);
    } else {
      const schema = step.operation === undefined ? undefined : outputSchemas.get(step.operation);
      entries.push([output, schema?.description ?? step.operation]);
      if (schema !== undefined) entries.push(...schemaPaths(schema, output, depth));
    }
    const ran = lastRun?.steps.find((s) => s.id === step.id && s.output !== null);
    if (ran !== undefined) entries.push(...valuePaths(ran.output, output, depth));
    entries.push([`${root}.status`, 'succeeded, failed, skipped or delivery_unknown']);
    entries.push([`${root}.error`, 'the error of a failed step (with on_error: continue)']);
    groups.push({ label: `Step ${step.id}`, options: options(entries) });
  }
  return groups;
}

/** Filters the groups by a search text (path or detail); groups left empty are dropped. */
export function filterGroups(groups: readonly ReferenceGroup[], query: string): ReferenceGroup[] {
  const needle = query.trim().toLowerCase();
  if (needle === '') return [...groups];
  return groups
    .map((g) => ({
      label: g.label,
      options: g.options.filter((o) => `${o.path} ${o.detail ?? ''}`.toLowerCase().includes(needle)),
    }))
    .filter((g) => g.options.length > 0);
}
