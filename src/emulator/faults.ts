/**
 * Fault injection: make matching requests fail in a chosen way, a chosen number of times.
 */
import { headerValueProblem, isHttpToken } from '../http-fields.js';

export interface FaultSpec {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Path to match, exact or with `*` wildcards (any when absent). Query strings are ignored. */
  path?: string;
  /** Status to answer with. Without it (and without `drop`), the request proceeds after `delay_ms`. */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests fail (default 1; unlimited with `probability`). */
  times?: number;
  /**
   * Fire on each matching request with this chance (0 < p ≤ 1) instead of on every one: chaos
   * runs (`{ status: 503, probability: 0.05 }`). Requests it lets pass go on to the next fault.
   */
  probability?: number;
  /** Wait this long before answering (or before proceeding). */
  delay_ms?: number;
  /**
   * Destroy the connection without any response: `true` or `"before_processing"` after the
   * request was read but before it is handled; `"after_processing"` after it was handled (the
   * change is made, the answer is lost).
   */
  drop?: boolean | 'before_processing' | 'after_processing';
}

export interface Fault extends FaultSpec {
  /** Uses left; `null` for a probabilistic fault without `times` (unlimited). */
  remaining: number | null;
}

export function faultProblems(spec: unknown): string[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    return ['the fault must be a JSON object'];
  const f = spec as Record<string, unknown>;
  const problems: string[] = [];
  const known = new Set([
    'method',
    'path',
    'status',
    'headers',
    'body',
    'times',
    'delay_ms',
    'drop',
    'probability',
  ]);
  for (const key of Object.keys(f)) if (!known.has(key)) problems.push(`unknown field "${key}"`);
  // A 1xx is not a final answer: Node would send it and then wait, or (101) switch protocols.
  if (
    f['status'] !== undefined &&
    !(Number.isInteger(f['status']) && (f['status'] as number) >= 200 && (f['status'] as number) <= 599)
  ) {
    problems.push('status must be an integer from 200 to 599 (1xx are not final answers)');
  }
  if ((f['status'] === 204 || f['status'] === 304) && f['body'] !== undefined) {
    problems.push(`a ${String(f['status'])} answer cannot have a body (Node would drop it)`);
  }
  if (
    f['status'] === undefined &&
    (f['drop'] === undefined || f['drop'] === false) &&
    f['delay_ms'] === undefined
  ) {
    problems.push('give status, drop, or delay_ms');
  }
  if (f['times'] !== undefined && !(Number.isInteger(f['times']) && (f['times'] as number) >= 1)) {
    problems.push('times must be an integer ≥ 1');
  }
  if (
    f['probability'] !== undefined &&
    !(typeof f['probability'] === 'number' && f['probability'] > 0 && f['probability'] <= 1)
  ) {
    problems.push('probability must be a number above 0 and at most 1');
  }
  if (
    f['delay_ms'] !== undefined &&
    !(
      Number.isInteger(f['delay_ms']) &&
      (f['delay_ms'] as number) >= 0 &&
      (f['delay_ms'] as number) <= 600_000
    )
  ) {
    problems.push('delay_ms must be an integer from 0 to 600000');
  }
  for (const key of ['method', 'path'] as const) {
    if (f[key] !== undefined && typeof f[key] !== 'string') problems.push(`${key} must be a string`);
  }
  if (
    f['drop'] !== undefined &&
    typeof f['drop'] !== 'boolean' &&
    f['drop'] !== 'before_processing' &&
    f['drop'] !== 'after_processing'
  ) {
    problems.push('drop must be true, "before_processing" or "after_processing"');
  }
  if (f['headers'] !== undefined) {
    const h = f['headers'];
    if (typeof h !== 'object' || h === null || Object.values(h).some((v) => typeof v !== 'string')) {
      problems.push('headers must be an object of strings');
    } else {
      // The field rules requests follow (http-fields.ts): Node throws on the rest when answering.
      for (const [name, value] of Object.entries(h as Record<string, string>)) {
        if (!isHttpToken(name))
          problems.push(
            `header ${JSON.stringify(name)} is not a valid header name: use letters, digits and !#$%&'*+-.^_\`|~ only`,
          );
        const valueProblem = headerValueProblem(value);
        if (valueProblem !== undefined) problems.push(`header ${JSON.stringify(name)} ${valueProblem}`);
      }
    }
  }
  return problems;
}

export class FaultList {
  private faults: Fault[] = [];

  /** @param random the source of chance for `probability` (tests pass their own). */
  constructor(private readonly random: () => number = Math.random) {}

  /** Throws on a fault that could not be answered (see `faultProblems`). */
  add(spec: FaultSpec): Fault {
    const problems = faultProblems(spec);
    if (problems.length > 0) throw new Error(`invalid fault: ${problems.join('; ')}`);
    const remaining = spec.times ?? (spec.probability === undefined ? 1 : null);
    const fault: Fault = { ...spec, remaining };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  /** Takes one use of the first fault matching the request (and, if it has one, its chance), if any. */
  take(method: string, path: string): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        (f.remaining === null || f.remaining > 0) &&
        matches(f, method, path) &&
        (f.probability === undefined || this.random() < f.probability),
    );
    if (fault === undefined || fault.remaining === null) return fault;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }
}

function matches(fault: FaultSpec, method: string, path: string): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== method.toUpperCase()) return false;
  return fault.path === undefined || globMatches(fault.path, path);
}

/**
 * Whether `text` matches `pattern`, where `*` is any run of characters (none included). No regular
 * expression and no backtracking: the literal parts are found left to right, each at its first
 * place after the previous one, which is where a match must put it if any match exists. At most
 * one scan of `text` per literal part.
 */
export function globMatches(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  const first = parts[0] ?? '';
  if (parts.length === 1) return pattern === text;
  const last = parts[parts.length - 1] ?? '';
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last))
    return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const part of parts.slice(1, -1)) {
    if (part === '') continue;
    const found = text.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}
