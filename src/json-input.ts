/**
 * What every operation input must be before a schema looks at it: a value that becomes JSON, URL
 * components and header text without surprises. Without this check, a lone surrogate (`"\ud800"`)
 * makes `encodeURIComponent` throw `URIError`, a BigInt makes `JSON.stringify` throw `TypeError`,
 * a cycle or a value nested thousands deep throws `RangeError`, and `NaN`/`Infinity` silently
 * become `null` on the wire. All of them are `ValidationError`s here, before anything is built.
 *
 * The walk stops at `MAX_JSON_DEPTH`, so it cannot overflow the stack itself.
 */
import type { ValidationIssue } from './errors.js';

/**
 * The deepest nesting accepted. No Customer.io payload needs more than a handful of levels;
 * 64 leaves room for any real attribute value while staying far from every parser's limit
 * (no documented limit: UNCONFIRMED, a careful client's choice).
 */
export const MAX_JSON_DEPTH = 64;

/** `String.prototype.isWellFormed` (Node 20; not in the ES2023 lib types): no lone surrogate. */
function wellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

function pointer(path: readonly string[]): string {
  return path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * Whether `jsonInputIssues` would find nothing: the same rules, walked without building paths or
 * issues (the hot path of a batch of hundreds of thousands of items). Stops at the first problem.
 * Object members are walked with `for…in`, which allocates nothing and visits every own enumerable
 * key (what JSON sends) plus any enumerable inherited one: it may look at more than it must, never
 * at less, and a "no" is only ever followed by the exact walk of `jsonInputIssues`.
 */
export function isSendableJson(input: unknown): boolean {
  return sendableValue(input, [], true);
}

/**
 * `isSendableJson` without looking at strings (numbers, nesting, cycles, types only), for a caller
 * that encodes the value anyway and checks its strings on the encoding: `JSON.stringify` writes a
 * lone surrogate as a `\udXXX` escape, so an encoding without `\ud` (`mayHoldLoneSurrogate`)
 * holds none, and one with it gets the exact walk. One scan of the output instead of a call per
 * string and key (the batch builder's hot path).
 */
export function isSendableShape(input: unknown): boolean {
  return sendableValue(input, [], false);
}

/** Whether `JSON.stringify`'s output may encode a lone surrogate (`false`: it certainly does not). */
export function mayHoldLoneSurrogate(json: string): boolean {
  return json.includes('\\ud');
}

function sendableValue(value: unknown, ancestors: object[], strings: boolean): boolean {
  switch (typeof value) {
    case 'string':
      return !strings || wellFormed(value);
    case 'number':
      return Number.isFinite(value);
    case 'boolean':
    case 'undefined':
      return true;
    case 'object':
      return value === null || sendableObject(value, ancestors, strings);
    default:
      return false;
  }
}

function sendableObject(value: object, ancestors: object[], strings: boolean): boolean {
  const depth = ancestors.length;
  if (depth >= MAX_JSON_DEPTH) return false;
  for (let i = 0; i < depth; i++) if (ancestors[i] === value) return false;
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!sendableValue(value[i], ancestors, strings)) return false;
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record)
      if ((strings && !wellFormed(key)) || !sendableValue(record[key], ancestors, strings)) return false;
  }
  ancestors.pop();
  return true;
}

/** The problems that would make an input unsendable as JSON (the first few, each with its pointer). */
export function jsonInputIssues(input: unknown, maxIssues = 10): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  // The keys and objects from the root to the current value. Recursion stops at MAX_JSON_DEPTH,
  // so the walk itself can never overflow the stack, whatever the input.
  const path: string[] = [];
  const ancestors: object[] = [];
  const walk = (value: unknown): void => {
    if (issues.length >= maxIssues) return;
    if (typeof value !== 'object' || value === null) {
      const problem = scalarProblem(value);
      if (problem !== undefined) issues.push({ path: pointer(path), message: problem });
      return;
    }
    if (ancestors.includes(value)) {
      issues.push({ path: pointer(path), message: 'refers to itself (a cycle): it cannot be sent as JSON' });
      return;
    }
    if (ancestors.length >= MAX_JSON_DEPTH) {
      issues.push({ path: pointer(path), message: `is nested more than ${MAX_JSON_DEPTH} levels deep` });
      return;
    }
    ancestors.push(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(String(i));
        walk(value[i]);
        path.pop();
      }
    } else {
      for (const key of Object.keys(value)) {
        path.push(key);
        if (wellFormed(key)) walk((value as Record<string, unknown>)[key]);
        else
          issues.push({
            path: pointer(path),
            message: 'has a name that is not well-formed Unicode (a lone surrogate)',
          });
        path.pop();
      }
    }
    ancestors.pop();
  };
  walk(input);
  return issues;
}

function scalarProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return !wellFormed(value)
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
