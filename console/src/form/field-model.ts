/**
 * Turns an operation's input JSON Schema into a model of form fields, with no DOM: the Properties
 * tab renders this model (`schema-form.tsx`). Kept pure so each rule is unit-tested.
 *
 * What each schema becomes:
 * - `type: string|number|integer|boolean` → a field of that kind;
 * - `enum`, or an `anyOf`/`oneOf` of `const`s (literals) → a select;
 * - an object with `properties` → a fieldset of its fields (required ones marked);
 * - an object with only `patternProperties`/`additionalProperties`, or a schema with no type → a
 *   JSON editor (free-form);
 * - `array` → a list whose items are fields of the `items` schema, added and removed;
 * - any other `anyOf`/`oneOf` → a variant picker; `X | null` is just an optional X;
 * - `allOf` → its members merged.
 */
import type { JsonSchema } from '../types.js';

export type Path = readonly (string | number)[];

interface FieldBase {
  /** The property name (or the item index as text). */
  readonly key: string;
  /** Where the value is inside the input. */
  readonly path: Path;
  /** The JSON pointer of `path` (how the server's validation issues name it). */
  readonly pointer: string;
  readonly label: string;
  readonly description: string | undefined;
  readonly required: boolean;
  readonly schema: JsonSchema;
}

export interface EnumOption {
  readonly value: unknown;
  readonly label: string;
}

export interface Variant {
  readonly label: string;
  readonly schema: JsonSchema;
}

export type Field =
  | (FieldBase & { readonly kind: 'string'; readonly multiline: boolean })
  | (FieldBase & { readonly kind: 'number' | 'integer' })
  | (FieldBase & { readonly kind: 'boolean' })
  | (FieldBase & { readonly kind: 'enum'; readonly options: readonly EnumOption[] })
  | (FieldBase & { readonly kind: 'object'; readonly fields: readonly Field[] })
  | (FieldBase & { readonly kind: 'array'; readonly items: JsonSchema })
  | (FieldBase & { readonly kind: 'json' })
  | (FieldBase & { readonly kind: 'variants'; readonly variants: readonly Variant[] });

export type FieldKind = Field['kind'];

const LONG_TEXT = /\b(body|html|message|content|template|liquid)\b/i;

/** "body_type" → "Body Type", "identifier" → "Identifier", "camelCase" → "Camel Case". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_\-\s.]+/)
    .filter((w) => w !== '');
  if (words.length === 0) return name;
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointerOf(path: Path): string {
  return path.map((p) => `/${escapePointerToken(String(p))}`).join('');
}

/** `allOf` members merged into one schema (properties and required lists joined). */
export function mergeAllOf(schema: JsonSchema): JsonSchema {
  if (schema.allOf === undefined) return schema;
  const { allOf, ...rest } = schema;
  let merged: JsonSchema = { ...rest };
  for (const part of allOf.map(mergeAllOf)) {
    merged = {
      ...part,
      ...merged,
      properties: { ...(part.properties ?? {}), ...(merged.properties ?? {}) },
      required: [...new Set([...(merged.required ?? []), ...(part.required ?? [])])],
    };
  }
  if (merged.type === undefined && merged.properties !== undefined) merged.type = 'object';
  return merged;
}

const isNullSchema = (s: JsonSchema): boolean =>
  s.type === 'null' || (s.const === null && s.type === undefined);

/** The alternatives of an `anyOf`/`oneOf`, without `null` (an optional field expresses that). */
function alternatives(schema: JsonSchema): JsonSchema[] | undefined {
  const list = schema.anyOf ?? schema.oneOf;
  return list?.filter((s) => !isNullSchema(s));
}

/** The options of a select, when the schema is an enum or a union of constants. */
export function enumOptions(schema: JsonSchema): EnumOption[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => ({ value: v, label: String(v) }));
  const alts = alternatives(schema);
  if (alts === undefined || alts.length === 0) return undefined;
  const flat: EnumOption[] = [];
  for (const alt of alts) {
    if ('const' in alt) flat.push({ value: alt.const, label: alt.title ?? String(alt.const) });
    else if (Array.isArray(alt.enum)) flat.push(...alt.enum.map((v) => ({ value: v, label: String(v) })));
    else return undefined;
  }
  return flat;
}

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  return schema.type;
}

/** A short name for one alternative of a union: its title, its type, or the field it requires. */
export function variantLabel(schema: JsonSchema, index: number): string {
  if (schema.title !== undefined) return schema.title;
  const type = typeOf(schema);
  if (type === 'object') {
    const required = schema.required ?? [];
    if (required.length > 0) return `With ${required.map(humanize).join(', ')}`;
    const names = Object.keys(schema.properties ?? {});
    if (names.length > 0) return `With ${names.slice(0, 3).map(humanize).join(', ')}`;
    return 'Object';
  }
  if (type === 'array') return 'List';
  if (type !== undefined) return humanize(type);
  return `Option ${String(index + 1)}`;
}

/** The field for a value at `path`, described by `schema`. */
export function fieldFor(rawSchema: JsonSchema, key: string, path: Path, required: boolean): Field {
  const schema = mergeAllOf(rawSchema);
  const base: FieldBase = {
    key,
    path,
    pointer: pointerOf(path),
    label: schema.title ?? humanize(key),
    description: schema.description,
    required,
    schema,
  };
  const options = enumOptions(schema);
  if (options !== undefined) return { ...base, kind: 'enum', options };
  const alts = alternatives(schema);
  if (alts !== undefined && alts.length > 0) {
    if (alts.length === 1 && alts[0] !== undefined) {
      const description = alts[0].description ?? schema.description;
      const only = fieldFor(
        description === undefined ? alts[0] : { ...alts[0], description },
        key,
        path,
        required,
      );
      return schema.title === undefined ? only : { ...only, label: schema.title };
    }
    return {
      ...base,
      kind: 'variants',
      variants: alts.map((s, i) => ({ label: variantLabel(s, i), schema: s })),
    };
  }
  switch (typeOf(schema)) {
    case 'string':
      return {
        ...base,
        kind: 'string',
        multiline: (schema.maxLength ?? 0) > 500 || LONG_TEXT.test(key),
      };
    case 'number':
      return { ...base, kind: 'number' };
    case 'integer':
      return { ...base, kind: 'integer' };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'array':
      return { ...base, kind: 'array', items: schema.items ?? {} };
    case 'object':
      if (schema.properties !== undefined && Object.keys(schema.properties).length > 0)
        return { ...base, kind: 'object', fields: fieldsOf(schema, path) };
      return { ...base, kind: 'json' };
    default:
      if (schema.properties !== undefined) return { ...base, kind: 'object', fields: fieldsOf(schema, path) };
      return { ...base, kind: 'json' };
  }
}

/** The fields of an object schema's properties, required ones first, each in schema order. */
export function fieldsOf(rawSchema: JsonSchema, at: Path = []): Field[] {
  const schema = mergeAllOf(rawSchema);
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([name, s]) =>
    fieldFor(s, name, [...at, name], required.has(name)),
  );
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)];
}

/** The field of the item at `index` of an array field. */
export function itemField(field: Field & { kind: 'array' }, index: number): Field {
  const item = fieldFor(field.items, String(index), [...field.path, index], true);
  return { ...item, label: `${field.label} ${String(index + 1)}` };
}

const jsonType = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'number'
        ? Number.isInteger(value)
          ? 'integer'
          : 'number'
        : typeof value;

/** How well `value` fits `schema` (higher is better; negative: it does not). */
function fit(schema: JsonSchema, value: unknown): number {
  const s = mergeAllOf(schema);
  if ('const' in s) return s.const === value ? 3 : -1;
  const type = typeOf(s);
  const actual = jsonType(value);
  if (type !== undefined && type !== actual && !(type === 'number' && actual === 'integer')) return -1;
  if (actual !== 'object' || value === null) return 1;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const known = s.properties ?? {};
  if ((s.required ?? []).some((r) => !(r in record))) return -1;
  if (
    s.additionalProperties === false &&
    s.patternProperties === undefined &&
    keys.some((k) => !(k in known))
  )
    return -1;
  return 1 + keys.filter((k) => k in known).length;
}

/** Which variant a value is (the best fit), or 0 when there is no value yet. */
export function variantIndex(variants: readonly Variant[], value: unknown): number {
  if (value === undefined) return 0;
  let best = 0;
  let bestScore = -Infinity;
  variants.forEach((v, i) => {
    const score = fit(v.schema, value);
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  return best;
}

/** An empty value of the right shape for a newly chosen variant or a new array item. */
export function emptyValue(schema: JsonSchema): unknown {
  const s = mergeAllOf(schema);
  if ('const' in s) return s.const;
  if (s.default !== undefined) return s.default;
  const options = enumOptions(s);
  if (options?.[0] !== undefined) return options[0].value;
  const alts = alternatives(s);
  if (alts?.[0] !== undefined) return emptyValue(alts[0]);
  switch (typeOf(s)) {
    case 'string':
      return '';
    case 'number':
    case 'integer':
      return undefined;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of s.required ?? []) {
        const prop = s.properties?.[name];
        if (prop !== undefined) {
          const v = emptyValue(prop);
          if (v !== undefined) out[name] = v;
        }
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** True when a value is (or contains) a workflow reference, so a typed field shows it as text. */
export function isReference(value: unknown): value is string {
  return typeof value === 'string' && /\{\{\s*\$/.test(value);
}

/** Parses what was typed into a number field: a number, `undefined` when empty, else the text. */
export function parseNumberInput(text: string, integer: boolean): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return text;
  return n;
}

/** Checks a JSON editor's text: the value, or the parser's complaint. */
export function parseJsonInput(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : 'Invalid JSON' };
  }
}

/** The value at `path` inside `root`. */
export function getAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/**
 * `root` with the value at `path` replaced (copied along the path, never mutated). `undefined`
 * removes an object key; containers are created as needed.
 */
export function setAt(root: unknown, path: Path, value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (typeof head === 'number') {
    const list = Array.isArray(root) ? [...(root as unknown[])] : [];
    list[head] = setAt(list[head], rest, value);
    return list;
  }
  const record =
    root !== null && typeof root === 'object' && !Array.isArray(root)
      ? { ...(root as Record<string, unknown>) }
      : {};
  const next = setAt(record[head], rest, value);
  if (next !== undefined) return { ...record, [head]: next };
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== head));
}

/** `root` without the array item at `path` (the last part is the index). */
export function removeAt(root: unknown, path: Path): unknown {
  const index = path.at(-1);
  const parentPath = path.slice(0, -1);
  const parent = getAt(root, parentPath);
  if (typeof index !== 'number' || !Array.isArray(parent)) return setAt(root, path, undefined);
  return setAt(
    root,
    parentPath,
    parent.filter((_, i) => i !== index),
  );
}
