/**
 * What every operation input must be before a schema looks at it: a value that becomes JSON, URL
 * components and header text without surprises. Without this check, a lone surrogate (`"\ud800"`)
 * makes `encodeURIComponent` throw `URIError`, a BigInt makes `JSON.stringify` throw `TypeError`,
 * a cycle or a value nested thousands deep throws `RangeError`, and `NaN`/`Infinity` silently
 * become `null` on the wire. All of them are `ValidationError`s here, before anything is built.
 *
 * The walk is iterative, so it cannot overflow the stack itself.
 */
import type { ValidationIssue } from './errors.js';

/**
 * The deepest nesting accepted. No Customer.io payload needs more than a handful of levels;
 * 64 leaves room for any real attribute value while staying far from every parser's limit
 * (no documented limit: UNCONFIRMED, a careful client's choice).
 */
export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /\p{Cs}/u;

interface Node {
  readonly value: unknown;
  readonly key: string | undefined;
  readonly parent: Node | undefined;
  readonly depth: number;
}

/** The JSON pointer of a node, built only when there is a problem to report. */
function pointer(node: Node | undefined, last?: string): string {
  const parts: string[] = last === undefined ? [] : [last];
  for (let n = node; n?.key !== undefined; n = n.parent) parts.push(n.key);
  return parts
    .reverse()
    .map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

/** The problems that would make an input unsendable as JSON (the first few, each with its pointer). */
export function jsonInputIssues(input: unknown, maxIssues = 10): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const stack: Node[] = [{ value: input, key: undefined, parent: undefined, depth: 0 }];
  // The objects on the path from the root to the current node, to tell a cycle from a value
  // that is merely shared; each leaves when the stack shrinks below where its children start.
  const open: { readonly object: object; readonly base: number }[] = [];
  const onPath = new Set<object>();
  while (stack.length > 0 && issues.length < maxIssues) {
    const node = stack.pop() as Node;
    while (open.length > 0 && (open[open.length - 1]?.base ?? -1) > stack.length) {
      const done = open.pop();
      if (done !== undefined) onPath.delete(done.object);
    }
    const { value } = node;
    const problem = scalarProblem(value);
    if (problem !== undefined) {
      issues.push({ path: pointer(node), message: problem });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (onPath.has(value)) {
      issues.push({ path: pointer(node), message: 'refers to itself (a cycle): it cannot be sent as JSON' });
      continue;
    }
    if (node.depth >= MAX_JSON_DEPTH) {
      issues.push({ path: pointer(node), message: `is nested more than ${MAX_JSON_DEPTH} levels deep` });
      continue;
    }
    onPath.add(value);
    open.push({ object: value, base: stack.length });
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i] as unknown, key: String(i), parent: node, depth: node.depth + 1 });
    } else {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        if (LONE_SURROGATE.test(key)) {
          issues.push({
            path: pointer(node, key),
            message: 'has a name that is not well-formed Unicode (a lone surrogate)',
          });
          continue;
        }
        stack.push({
          value: (value as Record<string, unknown>)[key],
          key,
          parent: node,
          depth: node.depth + 1,
        });
      }
    }
  }
  return issues;
}

function scalarProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return LONE_SURROGATE.test(value)
        ? 'must be well-formed Unicode (it has a lone surrogate, e.g. half of an emoji)'
        : undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `must be a finite number, not ${String(value)}`;
    case 'bigint':
      return 'must be a number or a string, not a BigInt (JSON has no BigInt)';
    case 'function':
    case 'symbol':
      return `must be a JSON value, not a ${typeof value}`;
    default:
      return undefined;
  }
}
