/**
 * The single validator: Ajv over the operations' plain JSON Schemas. Schemas are compiled lazily,
 * once each, the first time they are used (start-up never compiles every schema).
 */
import type { TSchema } from './json-schema.js';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { ValidationError, type ValidationIssue } from './errors.js';

import { closest } from './closest.js';

export { closest };

let ajvInstance: Ajv | undefined;
/**
 * Ajv, loaded and set up when the first schema is compiled: importing the library, `--help` or
 * listing operations never pays for it (issue #12). It is CommonJS, so `require` loads it
 * synchronously.
 */
function ajv(): Ajv {
  if (ajvInstance === undefined) {
    const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    ajvInstance = new AjvClass({
      allErrors: true,
      verbose: true,
      strict: true,
      strictRequired: false,
      useDefaults: false,
      coerceTypes: false,
      // No check of each schema against the JSON Schema meta-schema when it is compiled: compiling
      // that check costs more than a dry run's own schema (~25 ms of start-up). The schemas are the
      // project's own, and test/schema-validity.test.ts checks every one of them instead.
      validateSchema: false,
    });
  }
  return ajvInstance;
}
const compiled = new WeakMap<object, ValidateFunction>();

let compilations = 0;

function validatorFor(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv().compile(schema);
    compiled.set(schema, validate);
    compilations += 1;
  }
  return validate;
}

/** How many schemas have been compiled so far (start-up must not compile any). */
export function compiledSchemaCount(): number {
  return compilations;
}

/** Checks a value: `undefined` when it is valid, its problems otherwise (built only on failure). */
export type SchemaCheck = (value: unknown) => ValidationIssue[] | undefined;

const checks = new WeakMap<object, SchemaCheck>();

/**
 * The check of a schema, built once per schema. The hot path (a valid value) runs Ajv's compiled
 * code and allocates nothing; issues are worked out only for a value that fails.
 */
export function checkerFor(schema: TSchema): SchemaCheck {
  let check = checks.get(schema);
  if (check === undefined) {
    check = discriminatedCheck(schema) ?? plainCheck(schema);
    checks.set(schema, check);
  }
  return check;
}

/** The problems of a value against a schema; empty when valid. */
export function schemaIssues(schema: TSchema, value: unknown): ValidationIssue[] {
  return checkerFor(schema)(value) ?? [];
}

function plainCheck(schema: TSchema): SchemaCheck {
  // Compiled on first use, not when the check is built.
  let validate: ValidateFunction | undefined;
  return (value) => {
    validate ??= validatorFor(schema);
    if (validate(value)) return undefined;
    return dedupe(collapseUnions(validate.errors ?? []).map(toIssue));
  };
}

/**
 * A top-level union whose branches are told apart by `const` properties (a v2 entity's `type` +
 * `action`) is validated by picking the branch first: one small validator runs instead of all of
 * them, and its errors are the ones that matter. The branch is found by one `Map` lookup per
 * discriminator on the value's own properties (no key string is built).
 */
function discriminatedCheck(schema: TSchema): SchemaCheck | undefined {
  const branches = (schema as { anyOf?: unknown }).anyOf;
  if (!Array.isArray(branches) || branches.length < 2) return undefined;
  const keyed = branches.map((b) => constants(asSchema(b)));
  const keys = Object.keys(keyed[0] ?? {});
  const same =
    keys.length > 0 && keyed.every((k) => Object.keys(k).length === keys.length && keys.every((n) => n in k));
  if (!same) return undefined;
  /** Nested maps, one level per key; the last level holds the branch's check. */
  const root = new Map<unknown, unknown>();
  let distinct = 0;
  keyed.forEach((k, i) => {
    let level = root;
    keys.forEach((name, depth) => {
      const value = lookupKey(k[name]);
      if (depth === keys.length - 1) {
        if (!level.has(value)) distinct += 1;
        level.set(value, checkerFor(branches[i] as TSchema));
      } else {
        let next = level.get(value) as Map<unknown, unknown> | undefined;
        if (next === undefined) level.set(value, (next = new Map()));
        level = next;
      }
    });
  });
  if (distinct !== branches.length) return undefined;
  const combos = keyed.map((k) => keys.map((n) => discriminatorText(k[n])).join('/')).join(', ');
  const all = plainCheck(schema);
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return all(value);
    const record = value as Record<string, unknown>;
    let found: unknown = root;
    for (const name of keys) {
      found = (found as Map<unknown, unknown>).get(lookupKey(record[name]));
      if (found === undefined) break;
    }
    if (typeof found === 'function') return (found as SchemaCheck)(value);
    return [{ path: '', message: noVariantMessage(keys, keyed, record, combos) }];
  };
}

/**
 * Why a value fits no branch of a discriminated union: a discriminator left out is named, with the
 * values it may take given the ones before it (`has no "action"; with type "person", "action" is
 * one of: identify, …`); otherwise the combination given and the known ones.
 */
function noVariantMessage(
  keys: readonly string[],
  keyed: readonly Record<string, unknown>[],
  record: Record<string, unknown>,
  combos: string,
): string {
  let fitting = keyed;
  for (const [depth, name] of keys.entries()) {
    if (record[name] === undefined) {
      const given = keys
        .slice(0, depth)
        .map((k) => `${k} ${JSON.stringify(record[k])}`)
        .join(' and ');
      const allowed = [...new Set(fitting.map((k) => discriminatorText(k[name])))].join(', ');
      return `has no "${name}"; ${given === '' ? '' : `with ${given}, `}"${name}" is one of: ${allowed}`;
    }
    fitting = fitting.filter((k) => k[name] === record[name]);
  }
  const named = keys.map((k) => `${k} ${JSON.stringify(record[k])}`).join(' and ');
  return `has no variant for ${named}; known ${keys.join('/')}: ${combos}`;
}

/** A discriminator value as a `Map` key: primitives as themselves, anything else as its JSON. */
function lookupKey(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? `\u0000${JSON.stringify(value)}` : value;
}

function discriminatorText(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined ? 'undefined' : JSON.stringify(value);
}

/** Throws a `ValidationError` listing every problem, each with its path. */
export function assertValid(schema: TSchema, value: unknown, what = 'Invalid input'): void {
  const issues = schemaIssues(schema, value);
  if (issues.length > 0) throw new ValidationError(what, issues);
}

type Schemaish = Record<string, unknown>;

const asSchema = (value: unknown): Schemaish =>
  typeof value === 'object' && value !== null ? (value as Schemaish) : {};

/** The `const` properties of an object schema (its discriminators, e.g. `type` and `action`). */
function constants(branch: Schemaish): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(asSchema(branch['properties']))) {
    const p = asSchema(property);
    if ('const' in p) out[name] = p['const'];
  }
  return out;
}

/**
 * A failed `anyOf` reports every branch's failure. Keep what helps a person instead:
 * - a discriminated union (branches told apart by `const` properties such as `type` + `action`):
 *   only the errors of the branch the value names, or the list of known combinations;
 * - a union of constants: "must be one of …";
 * - a union of one-key objects (identifiers): "must have exactly one of …";
 * - otherwise the union's own error, worded with the branch types.
 */
function collapseUnions(errors: readonly ErrorObject[]): ErrorObject[] {
  const result: ErrorObject[] = [];
  const dropped = new Set<string>();
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const replacements = new Map<ErrorObject, ErrorObject | undefined>();
  for (const union of unions) {
    const branches = (Array.isArray(union.schema) ? union.schema : []).map(asSchema);
    const data = asSchema(union.data);
    const keyed = branches.map(constants);
    const discriminated = keyed.every((k) => Object.keys(k).length > 0);
    let keepPrefix: string | undefined;
    let replacement: ErrorObject | undefined = union;
    if (branches.length > 0 && branches.every((b) => 'const' in b)) {
      replacement = { ...union, keyword: 'enum', params: { allowedValues: branches.map((b) => b['const']) } };
    } else if (discriminated && typeof union.data === 'object' && union.data !== null) {
      const index = keyed.findIndex((k) => Object.entries(k).every(([name, value]) => data[name] === value));
      if (index === -1) {
        const names = [...new Set(keyed.flatMap((k) => Object.keys(k)))];
        const combos = keyed
          .map((k) => names.map((n) => JSON.stringify(k[n] ?? '').replace(/^"|"$/g, '')).join('/'))
          .join(', ');
        replacement = {
          ...union,
          message: noVariantMessage(names, keyed, data, combos),
        };
      } else {
        keepPrefix = `${union.schemaPath}/${index}/`;
        replacement = undefined;
      }
    } else if (
      branches.length > 0 &&
      branches.every((b) => Array.isArray(b['required']) && (b['required'] as unknown[]).length === 1)
    ) {
      const keys = branches.map((b) => JSON.stringify((b['required'] as unknown[])[0]));
      replacement = { ...union, message: `must have exactly one of ${keys.join(', ')}` };
    } else {
      const types = branches.map((b) => (typeof b['type'] === 'string' ? b['type'] : 'value'));
      replacement = { ...union, message: `must be ${[...new Set(types)].join(' or ')}` };
    }
    replacements.set(union, replacement);
    for (const e of errors) {
      if (e === union || !e.schemaPath.startsWith(`${union.schemaPath}/`)) continue;
      if (keepPrefix === undefined || !e.schemaPath.startsWith(keepPrefix))
        dropped.add(`${e.schemaPath}|${e.instancePath}`);
    }
  }
  for (const e of errors) {
    if (replacements.has(e)) {
      const replacement = replacements.get(e);
      if (replacement !== undefined && !dropped.has(`${e.schemaPath}|${e.instancePath}`))
        result.push(replacement);
    } else if (!dropped.has(`${e.schemaPath}|${e.instancePath}`)) {
      result.push(e);
    }
  }
  return result;
}

function toIssue(error: ErrorObject): ValidationIssue {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: `${at}/${String(params['missingProperty'])}`, message: 'is required' };
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const patterns = namePatterns(error.parentSchema);
      if (patterns.length > 0 && knownProperties(error.parentSchema).length === 0) {
        // A record whose names follow a rule (header names): the name breaks the rule.
        return {
          path: `${at}/${escapePointer(name)}`,
          message: `is not an allowed name: it must match ${patterns.map((p) => `/${p}/`).join(' or ')}`,
        };
      }
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
    default: {
      // The project's own words for the usual limits; Ajv's text only for what is left.
      const own = limitMessage(error.keyword, params);
      return { path: at, message: own ?? error.message ?? `fails ${error.keyword}` };
    }
  }
}

function limitMessage(keyword: string, params: Record<string, unknown>): string | undefined {
  const limit = params['limit'];
  const n = typeof limit === 'number' ? limit : undefined;
  const plural = (count: number, one: string, many: string) => `${String(count)} ${count === 1 ? one : many}`;
  switch (keyword) {
    case 'minLength':
      return n === undefined
        ? undefined
        : n === 1
          ? 'must not be empty'
          : `must be at least ${plural(n, 'character', 'characters')}`;
    case 'maxLength':
      return n === undefined ? undefined : `must be at most ${plural(n, 'character', 'characters')}`;
    case 'minItems':
      return n === undefined ? undefined : `must have at least ${plural(n, 'item', 'items')}`;
    case 'maxItems':
      return n === undefined ? undefined : `must have at most ${plural(n, 'item', 'items')}`;
    case 'minProperties':
      return n === undefined ? undefined : `must have at least ${plural(n, 'field', 'fields')}`;
    case 'maxProperties':
      return n === undefined ? undefined : `must have at most ${plural(n, 'field', 'fields')}`;
    case 'minimum':
      return n === undefined ? undefined : `must be ${String(n)} or more`;
    case 'maximum':
      return n === undefined ? undefined : `must be ${String(n)} or less`;
    case 'exclusiveMinimum':
      return n === undefined ? undefined : `must be more than ${String(n)}`;
    case 'exclusiveMaximum':
      return n === undefined ? undefined : `must be less than ${String(n)}`;
    case 'multipleOf': {
      const m = params['multipleOf'];
      return typeof m === 'number' ? `must be a multiple of ${String(m)}` : undefined;
    }
    case 'pattern':
      return typeof params['pattern'] === 'string'
        ? `must match the pattern /${params['pattern']}/`
        : undefined;
    case 'format':
      return typeof params['format'] === 'string' ? `must be a valid ${params['format']}` : undefined;
    default:
      return undefined;
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

function namePatterns(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const patterns = (schema as { patternProperties?: unknown }).patternProperties;
  return typeof patterns === 'object' && patterns !== null ? Object.keys(patterns) : [];
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
