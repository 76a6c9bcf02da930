/**
 * CLI flags derived from an operation's input schema: one `--kebab-case` flag per top-level
 * property, typed from the schema (strings, integers, numbers, booleans, choices, JSON for objects
 * and arrays). No per-operation CLI code exists anywhere.
 */
import type { TSchema } from '../json-schema.js';
import { ValidationError } from '../errors.js';

export type FlagKind = 'string' | 'integer' | 'number' | 'boolean' | 'choice' | 'scalar' | 'json';
type Scalar = 'string' | 'integer' | 'number' | 'boolean';

export interface FlagSpec {
  /** The wire name, e.g. `created_at`. */
  readonly property: string;
  /** The flag without dashes, e.g. `created-at`. */
  readonly flag: string;
  readonly kind: FlagKind;
  readonly choices: readonly string[];
  /** For `scalar` unions: the types the value may take. */
  readonly scalars: readonly Scalar[];
  readonly required: boolean;
  readonly description: string;
  /** An integer of Unix seconds (`timestamp`, `created_at`…): an ISO-8601 date is accepted too. */
  readonly unixSeconds: boolean;
}

/** Flags every operation command has; a property with one of these names gets `--field-<name>`. */
export const COMMON_FLAGS = new Set([
  'auth',
  'site-id',
  'api-key',
  'api-key-stdin',
  'region',
  'base-url',
  'allow-custom-base-url',
  'dry-run',
  'timeout',
  'max-retries',
  'output',
  'verbose',
  'json',
  'all',
  'max-pages',
  'input',
  'help',
]);

type Node = Record<string, unknown>;
const asNode = (value: unknown): Node => (typeof value === 'object' && value !== null ? (value as Node) : {});

export function kebab(name: string): string {
  return name.replace(/_/g, '-');
}

export function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function kindOf(schema: Node): { kind: FlagKind; choices: string[]; scalars: Scalar[] } {
  const type = schema['type'];
  if (type === 'string' || type === 'integer' || type === 'number' || type === 'boolean') {
    return { kind: type, choices: [], scalars: [type] };
  }
  const branches = Array.isArray(schema['anyOf']) ? (schema['anyOf'] as unknown[]).map(asNode) : [];
  if (branches.length > 0 && branches.every((b) => typeof b['const'] === 'string')) {
    return { kind: 'choice', choices: branches.map((b) => b['const'] as string), scalars: [] };
  }
  const scalarTypes = branches.map((b) => b['type']);
  if (
    branches.length > 0 &&
    scalarTypes.every((t) => t === 'string' || t === 'integer' || t === 'number' || t === 'boolean')
  ) {
    return { kind: 'scalar', choices: [], scalars: scalarTypes };
  }
  return { kind: 'json', choices: [], scalars: [] };
}

/** The flags of an input schema; none when the input is not an object of named properties. */
export function flagsFor(schema: TSchema): FlagSpec[] {
  const node = asNode(schema);
  const properties = asNode(node['properties']);
  const required = new Set(Array.isArray(node['required']) ? (node['required'] as string[]) : []);
  return Object.entries(properties).map(([property, value]) => {
    const propertySchema = asNode(value);
    const { kind, choices, scalars } = kindOf(propertySchema);
    const base = kebab(property);
    const description =
      typeof propertySchema['description'] === 'string' ? propertySchema['description'] : '';
    return {
      property,
      flag: COMMON_FLAGS.has(base) ? `field-${base}` : base,
      kind,
      choices,
      scalars,
      required: required.has(property),
      description,
      unixSeconds: (kind === 'integer' || kind === 'scalar') && /unix|epoch/i.test(description),
    };
  });
}

/** Turns a flag's text into the value the schema expects; a clear error names the flag. */
export function parseFlagValue(spec: FlagSpec, raw: string | boolean): unknown {
  const text = typeof raw === 'boolean' ? String(raw) : raw;
  const fail = (expected: string): never => {
    throw new ValidationError(`--${spec.flag} must be ${expected}, not ${JSON.stringify(text)}`);
  };
  switch (spec.kind) {
    case 'string':
    case 'choice':
      return text;
    case 'integer':
      if (/^-?\d+$/.test(text.trim())) return Number(text);
      return spec.unixSeconds
        ? (unixSecondsOf(text) ?? fail('Unix seconds or an ISO-8601 date (2024-05-01T12:00:00Z)'))
        : fail('a whole number');
    case 'number':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : fail('a number');
    case 'boolean':
      return text === 'true'
        ? true
        : text === 'false'
          ? false
          : fail('true or false (or the flag alone for true)');
    case 'scalar':
      if (spec.scalars.includes('integer') && /^-?\d+$/.test(text.trim())) return Number(text);
      if (spec.unixSeconds && spec.scalars.includes('integer')) {
        const seconds = unixSecondsOf(text);
        if (seconds !== undefined) return seconds;
      }
      if (spec.scalars.includes('number') && text.trim() !== '' && Number.isFinite(Number(text)))
        return Number(text);
      if (spec.scalars.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
      return spec.scalars.includes('string') ? text : fail(spec.scalars.join(' or '));
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return fail('JSON (e.g. \'{"key":"value"}\' or \'["a","b"]\')');
      }
  }
}

/**
 * `2024-05-01`, `2024-05-01T12:00:00Z`, `2024-05-01T14:00+02:00` → Unix seconds. A date and time
 * without a zone is refused: whose midnight it meant cannot be known.
 */
export function unixSecondsOf(text: string): number | undefined {
  const value = text.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const dateTime = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value);
  if (!dateOnly && !dateTime) return undefined;
  // A date alone is midnight UTC, as Date.parse reads it.
  const ms = Date.parse(value.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** A shell command line for an example input, using the flags where the schema has them. */
export function exampleCommand(prefix: string, specs: readonly FlagSpec[], input: unknown): string {
  const quote = (value: string): string =>
    /^[A-Za-z0-9@._:/+-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
  if (specs.length === 0 || typeof input !== 'object' || input === null)
    return `${prefix} --input ${quote(JSON.stringify(input))}`;
  const parts = [prefix];
  for (const [property, value] of Object.entries(input)) {
    const spec = specs.find((s) => s.property === property);
    if (spec === undefined) continue;
    if (spec.kind === 'boolean' && value === true) parts.push(`--${spec.flag}`);
    else parts.push(`--${spec.flag}`, quote(typeof value === 'string' ? value : JSON.stringify(value)));
  }
  return parts.join(' ');
}
