/**
 * Checks a workflow document when it is saved (or `cioc workflow validate`): the JSON Schema
 * first, then what a schema cannot say — unique step ids, known operations and versions,
 * references only to the trigger and to steps that run earlier, the static part of each input
 * against the operation's input schema, and (when the caller can tell) the authentications.
 * Every problem is reported at once, each with its JSON pointer.
 */
import { exceedsDepth, MAX_DOCUMENT_DEPTH, protoKeyPointer } from './depth.js';
import { CONNECTORS } from '../connectors.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { findOperation, listOperations } from '../operations/registry.js';
import type { ConnectorId } from '../regions.js';
import { closest, schemaIssues } from '../schema.js';
import { operatorsOf } from './conditions.js';
import { WorkflowDocument, type Step } from './document.js';
import {
  escapePointer,
  parseReferenceOrPath,
  parseTemplate,
  ReferenceSyntaxError,
  referencesIn,
  type Reference,
} from './references.js';

export interface ValidateOptions {
  /**
   * Looks up a named authentication visible to the workflow's owner: its connector, or
   * `undefined` when there is none of that name. Without it, authentications are not checked.
   */
  authentication?: ((name: string) => ConnectorId | undefined) | undefined;
}

const TRIGGER_FIELDS = ['type', 'body', 'headers', 'query'];
const STEP_FIELDS = ['output', 'status', 'error', 'attempts'];

/** The problems of a document; empty when it may be saved. */
export function workflowIssues(document: unknown, options: ValidateOptions = {}): ValidationIssue[] {
  if (exceedsDepth(document, MAX_DOCUMENT_DEPTH))
    return [
      {
        path: '',
        message: `nests deeper than ${String(MAX_DOCUMENT_DEPTH)} levels (loops within loops, or input objects): flatten it`,
      },
    ];
  const proto = protoKeyPointer(document);
  if (proto !== undefined) return [{ path: proto, message: '"__proto__" cannot be used as a key' }];
  const issues = schemaIssues(WorkflowDocument, document);
  if (issues.length > 0) return issues;
  const doc = document as WorkflowDocument;
  const all = new Map<string, { pointer: string; loop: string | undefined }>();
  collectIds(doc.steps, '/steps', undefined, all, issues);
  const checker = new Checker(all, issues, options);
  checker.steps(doc.steps, '/steps', new Set(), false);
  if (doc.output !== undefined) {
    const topLevel = new Set(doc.steps.map((s) => s.id));
    checker.references(doc.output, '/output', topLevel, false);
  }
  return issues;
}

/** The document, typed, or a `ValidationError` listing every problem. */
export function assertWorkflow(document: unknown, options: ValidateOptions = {}): WorkflowDocument {
  const issues = workflowIssues(document, options);
  if (issues.length > 0) throw new ValidationError('Invalid workflow', issues);
  return document as WorkflowDocument;
}

/** Names that are not ordinary keys of a JavaScript object (`$.steps.<id>` reads them). */
const RESERVED_IDS = new Set(['__proto__', 'constructor', 'prototype']);

function collectIds(
  steps: readonly Step[],
  at: string,
  loop: string | undefined,
  all: Map<string, { pointer: string; loop: string | undefined }>,
  issues: ValidationIssue[],
): void {
  steps.forEach((step, i) => {
    const pointer = `${at}/${String(i)}`;
    const seen = all.get(step.id);
    if (RESERVED_IDS.has(step.id)) {
      issues.push({ path: `${pointer}/id`, message: `"${step.id}" is reserved; choose another step id` });
    } else if (seen !== undefined) {
      issues.push({ path: `${pointer}/id`, message: `"${step.id}" is already the id of ${seen.pointer}` });
    } else {
      all.set(step.id, { pointer, loop });
    }
    if (step.steps !== undefined) collectIds(step.steps, `${pointer}/steps`, step.id, all, issues);
  });
}

class Checker {
  constructor(
    private readonly all: ReadonlyMap<string, { pointer: string; loop: string | undefined }>,
    private readonly issues: ValidationIssue[],
    private readonly options: ValidateOptions,
  ) {}

  steps(steps: readonly Step[], at: string, outer: ReadonlySet<string>, inLoop: boolean): void {
    const available = new Set(outer);
    steps.forEach((step, i) => {
      const pointer = `${at}/${String(i)}`;
      this.step(step, pointer, available, inLoop);
      available.add(step.id);
    });
  }

  private step(step: Step, at: string, available: ReadonlySet<string>, inLoop: boolean): void {
    if (step.when !== undefined) {
      const operators = operatorsOf(step.when);
      if (operators.length !== 1) {
        this.issues.push({
          path: `${at}/when`,
          message: `must have exactly one operator (equals, not_equals, exists, not_exists, gt, lt, contains)${operators.length > 1 ? `, not ${operators.join(' and ')}` : ''}`,
        });
      }
      this.path(step.when.path, `${at}/when/path`, available, inLoop);
      for (const operator of operators)
        this.references(step.when[operator], `${at}/when/${operator}`, available, inLoop);
    }
    const isLoop = step.for_each !== undefined || step.steps !== undefined;
    if (isLoop) {
      this.loop(step, at, available, inLoop);
      return;
    }
    if (step.concurrency !== undefined)
      this.issues.push({ path: `${at}/concurrency`, message: 'is only for a loop (for_each)' });
    if (step.operation === undefined) {
      this.issues.push({
        path: `${at}/operation`,
        message: 'is required (or make the step a loop with for_each and steps)',
      });
      return;
    }
    const operation = findOperation(step.operation);
    if (operation === undefined) {
      const suggestion = closest(
        step.operation,
        listOperations().map((op) => op.id),
      );
      this.issues.push({
        path: `${at}/operation`,
        message: `"${step.operation}" is not a known operation${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}; \`cioc ops\` lists them all`,
      });
    } else {
      const connector = CONNECTORS[operation.connector];
      if (step.version !== undefined && step.version !== connector.version) {
        this.issues.push({
          path: `${at}/version`,
          message: `must be "${connector.version}", the version of the ${operation.connector} connector (not "${step.version}")`,
        });
      }
      if (step.authentication !== undefined && this.options.authentication !== undefined) {
        const found = this.options.authentication(step.authentication);
        if (found === undefined) {
          this.issues.push({
            path: `${at}/authentication`,
            message: `no authentication named "${step.authentication}" is visible to the workflow's owner`,
          });
        } else if (found !== operation.connector) {
          this.issues.push({
            path: `${at}/authentication`,
            message: `"${step.authentication}" is for the ${found} connector; ${operation.id} needs one for the ${operation.connector} connector`,
          });
        }
      }
    }
    const input = step.input ?? {};
    const refs = this.references(input, `${at}/input`, available, inLoop);
    if (operation !== undefined) this.staticInput(operation.input, input, refs, `${at}/input`);
  }

  private loop(step: Step, at: string, available: ReadonlySet<string>, inLoop: boolean): void {
    for (const field of [
      'operation',
      'version',
      'authentication',
      'input',
      'timeout_ms',
      'retries',
    ] as const) {
      if (step[field] !== undefined)
        this.issues.push({
          path: `${at}/${field}`,
          message: 'is not allowed on a loop (put it on a nested step)',
        });
    }
    if (step.for_each === undefined) {
      this.issues.push({ path: `${at}/for_each`, message: 'is required for a loop with steps' });
    } else {
      const template = safeTemplate(step.for_each);
      if (template?.kind !== 'exact') {
        this.issues.push({
          path: `${at}/for_each`,
          message: 'must be exactly one reference to an array, e.g. "{{ $.steps.search.output.ids }}"',
        });
      } else {
        this.references(step.for_each, `${at}/for_each`, available, inLoop);
      }
    }
    if (step.steps === undefined) {
      this.issues.push({
        path: `${at}/steps`,
        message: 'is required for a loop (the steps to run per item)',
      });
      return;
    }
    this.steps(step.steps, `${at}/steps`, available, true);
  }

  /** Checks every reference in a value; returns the pointers of the strings that hold them. */
  references(value: unknown, at: string, available: ReadonlySet<string>, inLoop: boolean): Set<string> {
    const pointers = new Set<string>();
    let found: { pointer: string; reference: Reference }[];
    try {
      found = referencesIn(value, at);
    } catch (error) {
      if (!(error instanceof ReferenceSyntaxError)) throw error;
      // Report each bad string at its own place.
      this.syntax(value, at);
      return pointers;
    }
    for (const { pointer, reference } of found) {
      pointers.add(pointer);
      const problem = this.problem(reference, available, inLoop);
      if (problem !== undefined) this.issues.push({ path: pointer, message: problem });
    }
    return pointers;
  }

  private syntax(value: unknown, at: string): void {
    if (typeof value === 'string') {
      try {
        parseTemplate(value);
      } catch (error) {
        if (error instanceof ReferenceSyntaxError)
          this.issues.push({ path: at, message: `has an invalid reference: ${error.message}` });
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        this.syntax(v, `${at}/${String(i)}`);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) this.syntax(v, `${at}/${escapePointer(k)}`);
    }
  }

  private path(text: string, at: string, available: ReadonlySet<string>, inLoop: boolean): void {
    let reference: Reference;
    try {
      reference = parseReferenceOrPath(text);
    } catch (error) {
      this.issues.push({ path: at, message: `is not a reference path: ${(error as Error).message}` });
      return;
    }
    const problem = this.problem(reference, available, inLoop);
    if (problem !== undefined) this.issues.push({ path: at, message: problem });
  }

  private problem(reference: Reference, available: ReadonlySet<string>, inLoop: boolean): string | undefined {
    const [root, second, third] = reference.segments;
    const ref = `"{{ ${reference.source} }}"`;
    switch (root) {
      case 'trigger':
        if (second !== undefined && (typeof second !== 'string' || !TRIGGER_FIELDS.includes(second))) {
          const hint = typeof second === 'string' ? closest(second, TRIGGER_FIELDS) : undefined;
          return `${ref}: the trigger has ${TRIGGER_FIELDS.join(', ')}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`;
        }
        return undefined;
      case 'item':
      case 'index':
        if (!inLoop) return `${ref}: $.${root} exists only inside a loop (for_each)`;
        if (root === 'index' && second !== undefined) return `${ref}: $.index is a number`;
        return undefined;
      case 'steps': {
        if (typeof second !== 'string') return `${ref}: name a step, as in $.steps.<id>.output`;
        const known = this.all.get(second);
        if (known === undefined) {
          const hint = closest(second, [...this.all.keys()]);
          return `${ref}: there is no step "${second}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}`;
        }
        if (!available.has(second)) {
          if (known.loop !== undefined && this.isBefore(known.loop, available))
            return `${ref}: step "${second}" runs inside the loop "${known.loop}"; read it as $.steps.${known.loop}.output[n].${second}`;
          return `${ref}: step "${second}" does not run before this one (a step can only read earlier steps)`;
        }
        if (third !== undefined && (typeof third !== 'string' || !STEP_FIELDS.includes(third)))
          return `${ref}: a step has ${STEP_FIELDS.join(', ')}`;
        return undefined;
      }
      default: {
        const roots = ['trigger', 'steps', 'item', 'index'];
        const hint = typeof root === 'string' ? closest(root, roots) : undefined;
        return `${ref}: a reference starts with $.trigger, $.steps, $.item or $.index${hint === undefined ? '' : ` (did you mean "$.${hint}"?)`}`;
      }
    }
  }

  private isBefore(id: string, available: ReadonlySet<string>): boolean {
    return available.has(id);
  }

  /**
   * Validates the input with every reference-valued field left out: what remains is known now and
   * must already be right. Problems at or under a reference, or about a field a reference fills
   * (its parent's "is required" or union), wait for the resolved input at run time.
   */
  private staticInput(
    schema: Parameters<typeof schemaIssues>[0],
    input: unknown,
    refs: Set<string>,
    at: string,
  ): void {
    if (refs.has(at)) return; // the whole input is one reference
    const relative = [...refs].map((p) => p.slice(at.length));
    const stripped = strip(input, '', new Set(relative));
    for (const issue of schemaIssues(schema, stripped)) {
      const path = issue.path;
      const covered = relative.some(
        (r) => path === r || path.startsWith(`${r}/`) || (path !== '' && r.startsWith(`${path}/`)),
      );
      if (!covered) this.issues.push({ path: `${at}${path}`, message: issue.message });
    }
  }
}

function safeTemplate(text: string): ReturnType<typeof parseTemplate> | undefined {
  try {
    return parseTemplate(text);
  } catch {
    return undefined;
  }
}

/** A copy without the strings that hold references (object fields dropped, array items null). */
function strip(value: unknown, at: string, refs: ReadonlySet<string>): unknown {
  if (Array.isArray(value))
    return value.map((item, i) => {
      const p = `${at}/${String(i)}`;
      return refs.has(p) ? null : strip(item, p, refs);
    });
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = `${at}/${escapePointer(k)}`;
      if (!refs.has(p)) out[k] = strip(v, p, refs);
    }
    return out;
  }
  return value;
}
