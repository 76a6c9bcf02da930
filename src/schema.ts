/**
 * The single validator: Ajv over the JSON Schemas that TypeBox writes. Schemas are compiled lazily,
 * once each, the first time they are used (start-up never compiles every schema).
 */
import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ValidationError, type ValidationIssue } from './errors.js';

const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, useDefaults: false, coerceTypes: false });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** The problems of a value against a schema; empty when valid. */
export function schemaIssues(schema: TSchema, value: unknown): ValidationIssue[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  return dedupe(collapseUnions(validate.errors ?? []).map(toIssue));
}

/** Throws a `ValidationError` listing every problem, each with its path. */
export function assertValid(schema: TSchema, value: unknown, what = 'Invalid input'): void {
  const issues = schemaIssues(schema, value);
  if (issues.length > 0) throw new ValidationError(what, issues);
}

/**
 * A failed `anyOf` reports every branch's failure; keep the union's own error instead, worded as
 * "must be one of …" when the branches are constants (TypeBox literal unions).
 */
function collapseUnions(errors: readonly ErrorObject[]): ErrorObject[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  return errors
    .filter((e) => !unions.some((u) => u !== e && e.schemaPath.startsWith(`${u.schemaPath}/`)))
    .map((e) => {
      if (e.keyword !== 'anyOf' || !Array.isArray(e.schema)) return e;
      const branches = e.schema as unknown[];
      const constants = branches.map((b) =>
        typeof b === 'object' && b !== null && 'const' in b ? b.const : undefined,
      );
      if (constants.some((c) => c === undefined)) {
        const types = branches.map((b) =>
          typeof b === 'object' && b !== null && 'type' in b ? String(b.type) : 'value',
        );
        return { ...e, message: `must be ${[...new Set(types)].join(' or ')}` };
      }
      return { ...e, keyword: 'enum', params: { allowedValues: constants } };
    });
}

function toIssue(error: ErrorObject): ValidationIssue {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: `${at}/${String(params['missingProperty'])}`, message: 'is required' };
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const known = knownProperties(error.parentSchema);
      const suggestion = closest(name, known);
      const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
      return { path: `${at}/${escapePointer(name)}`, message: `is not a known field${hint}` };
    }
    case 'enum':
      return {
        path: at,
        message: `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(params['allowedValue'])}` };
    case 'type':
      return { path: at, message: `must be ${describeType(params['type'])}` };
    default:
      return { path: at, message: error.message ?? `fails ${error.keyword}` };
  }
}

function describeType(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : [String(type)];
  const words = types.map((t) =>
    t === 'integer' ? 'an integer' : t === 'object' || t === 'array' ? `an ${t}` : `a ${t}`,
  );
  return words.join(' or ');
}

function knownProperties(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const properties = (schema as { properties?: unknown }).properties;
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The known name closest to a misspelled one, when it is close enough to be a likely typo. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** Optimal-string-alignment distance: edits, with a swap of two neighbours counting as one. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = d[i];
      if (row !== undefined) row[j] = best;
    }
  }
  return at(a.length, b.length);
}
