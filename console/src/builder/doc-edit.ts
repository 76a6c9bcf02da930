/**
 * Edits of a workflow document, as pure functions (a new document each time, the old one never
 * changed): the builder's undo-free state is just the latest document.
 *
 * A step is addressed by its `StepPath`: the indexes from the top-level list down through loops,
 * `[2, 0]` being the first nested step of the third top-level step (a `for_each` loop).
 */
import type { Step, ValidationIssue, WorkflowDocument } from '../types.js';

export type StepPath = readonly number[];

export const STEP_ID = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED_IDS = new Set(['__proto__', 'constructor', 'prototype']);

export function samePath(a: StepPath | undefined, b: StepPath | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

export function getStep(doc: WorkflowDocument, path: StepPath): Step | undefined {
  let list: readonly Step[] | undefined = doc.steps;
  let step: Step | undefined;
  for (const index of path) {
    step = list?.[index];
    if (step === undefined) return undefined;
    list = step.steps;
  }
  return step;
}

/** The list a step path points into (`[]` for the top level, a loop's path for its steps). */
function mapList(
  doc: WorkflowDocument,
  container: StepPath,
  change: (steps: Step[]) => Step[],
): WorkflowDocument {
  const walk = (steps: readonly Step[], rest: StepPath): Step[] => {
    const [head, ...tail] = rest;
    if (head === undefined) return change([...steps]);
    return steps.map((s, i) => (i === head ? { ...s, steps: walk(s.steps ?? [], tail) } : s));
  };
  return { ...doc, steps: walk(doc.steps, container) };
}

export function updateStep(
  doc: WorkflowDocument,
  path: StepPath,
  change: (step: Step) => Step,
): WorkflowDocument {
  const index = path.at(-1);
  if (index === undefined) return doc;
  return mapList(doc, path.slice(0, -1), (steps) => steps.map((s, i) => (i === index ? change(s) : s)));
}

/** Inserts `step` at `index` of the list inside `container` (`[]`: the top level). */
export function insertStep(
  doc: WorkflowDocument,
  container: StepPath,
  index: number,
  step: Step,
): WorkflowDocument {
  return mapList(doc, container, (steps) => {
    steps.splice(Math.max(0, Math.min(index, steps.length)), 0, step);
    return steps;
  });
}

export function removeStep(doc: WorkflowDocument, path: StepPath): WorkflowDocument {
  const index = path.at(-1);
  if (index === undefined) return doc;
  return mapList(doc, path.slice(0, -1), (steps) => steps.filter((_, i) => i !== index));
}

/** Moves a step up (`-1`) or down (`+1`) within its list; the new path, or the same at an end. */
export function moveStep(
  doc: WorkflowDocument,
  path: StepPath,
  delta: -1 | 1,
): { doc: WorkflowDocument; path: StepPath } {
  const index = path.at(-1);
  const container = path.slice(0, -1);
  const list = container.length === 0 ? doc.steps : getStep(doc, container)?.steps;
  if (index === undefined || list === undefined) return { doc, path };
  const target = index + delta;
  if (target < 0 || target >= list.length) return { doc, path };
  const moved = mapList(doc, container, (steps) => {
    const [step] = steps.splice(index, 1);
    if (step !== undefined) steps.splice(target, 0, step);
    return steps;
  });
  return { doc: moved, path: [...container, target] };
}

/** Every step id in the document (loops' nested steps included). */
export function allStepIds(doc: WorkflowDocument): Set<string> {
  const ids = new Set<string>();
  const walk = (steps: readonly Step[]): void => {
    for (const s of steps) {
      ids.add(s.id);
      if (s.steps !== undefined) walk(s.steps);
    }
  };
  walk(doc.steps);
  return ids;
}

/** A free step id from a base such as an operation id: `track_custom_event`, then `…_2`. */
export function uniqueStepId(doc: WorkflowDocument, base: string): string {
  let stem = base
    .replace(/^[a-z]+\./, '')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .slice(0, 56);
  if (!/^[A-Za-z_]/.test(stem)) stem = `step_${stem}`;
  const taken = allStepIds(doc);
  if (!taken.has(stem) && !RESERVED_IDS.has(stem)) return stem;
  for (let n = 2; ; n++) {
    const candidate = `${stem}_${String(n)}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Why `id` cannot be the new id of the step at `path`, or `undefined` when it can. */
export function stepIdProblem(doc: WorkflowDocument, path: StepPath, id: string): string | undefined {
  if (!STEP_ID.test(id))
    return 'Use letters, digits and _, starting with a letter or _ (at most 64 characters).';
  if (RESERVED_IDS.has(id)) return `"${id}" is reserved.`;
  const current = getStep(doc, path);
  if (current?.id !== id && allStepIds(doc).has(id)) return `Another step is already called "${id}".`;
  return undefined;
}

/**
 * Renames the step at `path` and rewrites every reference to it (`$.steps.old…` in inputs,
 * loops, conditions and the output), so the document stays valid.
 */
export function renameStep(doc: WorkflowDocument, path: StepPath, id: string): WorkflowDocument {
  const old = getStep(doc, path)?.id;
  if (old === undefined || old === id) return doc;
  const renamed = updateStep(doc, path, (s) => ({ ...s, id }));
  const escaped = old.replace(/[$]/g, '\\$&');
  const pattern = new RegExp(
    `(\\$\\.steps\\.)${escaped}(?![A-Za-z0-9_$-])|(\\$\\.steps\\[["'])${escaped}(["']\\])`,
    'g',
  );
  const rewrite = (text: string): string =>
    text.replace(
      pattern,
      (_m, dot: string | undefined, open: string | undefined, close: string | undefined) =>
        dot !== undefined ? `${dot}${id}` : `${open ?? ''}${id}${close ?? ''}`,
    );
  const deep = (value: unknown): unknown => {
    if (typeof value === 'string') return value.includes('$.steps') ? rewrite(value) : value;
    if (Array.isArray(value)) return value.map(deep);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, deep(v)]),
      );
    return value;
  };
  const steps = deep(renamed.steps) as Step[];
  return renamed.output === undefined
    ? { ...renamed, steps }
    : { ...renamed, steps, output: deep(renamed.output) };
}

/** An operation step for a newly picked operation. */
export function newOperationStep(doc: WorkflowDocument, operation: string): Step {
  return { id: uniqueStepId(doc, operation), operation, input: {} };
}

/** A loop over an array, with one placeholder-free nested list to fill. */
export function newLoopStep(doc: WorkflowDocument): Step {
  return { id: uniqueStepId(doc, 'each'), for_each: '{{ $.trigger.body.items }}', steps: [] };
}

export function isLoop(step: Step): boolean {
  return step.for_each !== undefined || step.steps !== undefined;
}

/** A new, empty workflow (the first save fills it in). */
export function newDocument(name: string): WorkflowDocument {
  return { name, trigger: { type: 'manual' }, steps: [] };
}

/** Converts a `/steps/2/steps/0` prefix of a JSON pointer into a step path and the rest. */
export function stepOfPointer(pointer: string): { path: number[]; rest: string } | undefined {
  const match = /^((?:\/steps\/\d+)+)(.*)$/.exec(pointer);
  if (match === null) return undefined;
  const path = [...(match[1] ?? '').matchAll(/\/steps\/(\d+)/g)].map((m) => Number(m[1]));
  return { path, rest: match[2] ?? '' };
}

export interface StepIssues {
  /** Issues inside the step's input, by the pointer inside the input (`/identifier`). */
  readonly input: Map<string, string[]>;
  /** Other issues of the step (its id, authentication, operation…), with their pointer. */
  readonly step: ValidationIssue[];
}

/**
 * The server's validation issues (JSON pointers into the document), grouped by step, so each one
 * is shown at its field; issues outside any step come back as `document`.
 */
export function groupIssues(issues: readonly ValidationIssue[]): {
  byStep: Map<string, StepIssues>;
  document: ValidationIssue[];
} {
  const byStep = new Map<string, StepIssues>();
  const document: ValidationIssue[] = [];
  for (const issue of issues) {
    const found = stepOfPointer(issue.path);
    if (found === undefined) {
      document.push(issue);
      continue;
    }
    const key = found.path.join('.');
    let entry = byStep.get(key);
    if (entry === undefined) {
      entry = { input: new Map(), step: [] };
      byStep.set(key, entry);
    }
    if (found.rest === '/input' || found.rest.startsWith('/input/')) {
      const at = found.rest.slice('/input'.length);
      entry.input.set(at, [...(entry.input.get(at) ?? []), issue.message]);
    } else entry.step.push({ path: found.rest, message: issue.message });
  }
  return { byStep, document };
}
