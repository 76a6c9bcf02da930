/**
 * References: `{{ path }}` in any string of a step's input (and in `for_each`, `when`, `output`).
 * A string that is exactly one reference takes the referenced value with its own type; a reference
 * inside longer text is replaced by its text (objects and arrays as JSON, absent values as "").
 *
 * Paths start at `$`: `$.trigger.body.id`, `$.steps.upsert.output`, `$.steps.upsert.status`,
 * `$.item.email` and `$.index` inside a loop; dot names, `[n]` indexes and `["quoted names"]`.
 */

export type Segment = string | number;

export interface Reference {
  /** As written, without braces: `$.steps.search.output.ids[0]`. */
  readonly source: string;
  readonly segments: readonly Segment[];
}

/** A string after parsing: plain text, exactly one reference, or text with references in it. */
export type Template =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'exact'; readonly reference: Reference }
  | { readonly kind: 'interpolated'; readonly parts: readonly (string | Reference)[] };

export class ReferenceSyntaxError extends Error {}

const REFERENCE = /\{\{\s*(.*?)\s*\}\}/g;
const NAME = /^[A-Za-z_$][A-Za-z0-9_$-]*/;

/** Parses `$.a.b[0]["c d"]` into segments (after the `$`). */
export function parsePath(source: string): Reference {
  const text = source.trim();
  if (!text.startsWith('$')) throw new ReferenceSyntaxError(`"${text}" must start with "$"`);
  const segments: Segment[] = [];
  let rest = text.slice(1);
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      const name = NAME.exec(rest.slice(1));
      if (name === null) throw new ReferenceSyntaxError(`"${text}" has an empty or invalid name after "."`);
      segments.push(name[0]);
      rest = rest.slice(1 + name[0].length);
    } else if (rest.startsWith('[')) {
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\]/.exec(rest);
      if (index !== null) {
        segments.push(Number(index[1]));
        rest = rest.slice(index[0].length);
      } else if (quoted !== null) {
        segments.push((quoted[1] ?? quoted[2] ?? '').replace(/\\(.)/g, '$1'));
        rest = rest.slice(quoted[0].length);
      } else {
        throw new ReferenceSyntaxError(`"${text}" has an invalid [index]: use [0] or ["name"]`);
      }
    } else {
      throw new ReferenceSyntaxError(`"${text}" has an unexpected "${rest[0] ?? ''}": use .name or [n]`);
    }
  }
  return { source: text, segments };
}

const templates = new Map<string, Template>();

/** Parses a string once (cached: the same input strings are resolved on every run). */
export function parseTemplate(text: string): Template {
  let template = templates.get(text);
  if (template === undefined) {
    template = parseTemplateUncached(text);
    if (templates.size > 50_000) templates.clear();
    templates.set(text, template);
  }
  return template;
}

function parseTemplateUncached(text: string): Template {
  if (!text.includes('{{')) return { kind: 'text', text };
  const parts: (string | Reference)[] = [];
  let last = 0;
  const literal = (end: number): void => {
    const piece = text.slice(last, end);
    // `{{ $…` with no `}}` after it: a reference meant, mistyped (`{{ $.trigger.body.id }`).
    const open = /\{\{\s*\$/.exec(piece);
    if (open !== null)
      throw new ReferenceSyntaxError(
        `"${text}" has a reference that is not closed: "${piece.slice(open.index, open.index + 40)}" needs "}}"`,
      );
    if (piece !== '') parts.push(piece);
  };
  for (const match of text.matchAll(REFERENCE)) {
    const inner = match[1] ?? '';
    // Braces whose content does not start with `$` are not ours: Liquid (`{{ customer.name }}`)
    // in a transactional body passes through as text.
    if (!inner.startsWith('$')) continue;
    literal(match.index);
    parts.push(parsePath(inner));
    last = match.index + match[0].length;
  }
  literal(text.length);
  const [only] = parts;
  if (parts.length === 1 && typeof only === 'object') return { kind: 'exact', reference: only };
  if (parts.every((p) => typeof p === 'string')) return { kind: 'text', text };
  return { kind: 'interpolated', parts };
}

/** `{{ $.x }}` or a bare `$.x` (as in `when.path`). */
export function parseReferenceOrPath(text: string): Reference {
  const template = parseTemplate(text);
  if (template.kind === 'exact') return template.reference;
  if (template.kind === 'text') return parsePath(text);
  throw new ReferenceSyntaxError(`"${text}" must be one reference, not text`);
}

/** Every reference in a JSON value, with the JSON pointer of the string that holds it. */
export function referencesIn(value: unknown, pointer = ''): { pointer: string; reference: Reference }[] {
  const found: { pointer: string; reference: Reference }[] = [];
  const walk = (v: unknown, at: string): void => {
    if (typeof v === 'string') {
      const t = parseTemplate(v);
      if (t.kind === 'exact') found.push({ pointer: at, reference: t.reference });
      else if (t.kind === 'interpolated')
        for (const p of t.parts) if (typeof p !== 'string') found.push({ pointer: at, reference: p });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        walk(item, `${at}/${String(i)}`);
      });
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) walk(item, `${at}/${escapePointer(k)}`);
    }
  };
  walk(value, pointer);
  return found;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Follows a path through a value; `undefined` when any part is missing. */
export function lookup(root: unknown, segments: readonly Segment[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (current === null || current === undefined) return undefined;
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else if (typeof current === 'object' && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

/** Text of a value inside a longer string. */
function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Replaces every reference in a JSON value (deeply). An object property whose exact reference is
 * absent is left out, so that an optional input stays optional.
 */
export function resolveValue(value: unknown, scope: unknown): unknown {
  if (typeof value === 'string') {
    const template = parseTemplate(value);
    switch (template.kind) {
      case 'text':
        return value;
      case 'exact':
        return lookup(scope, template.reference.segments);
      case 'interpolated':
        return template.parts
          .map((p) => (typeof p === 'string' ? p : asText(lookup(scope, p.segments))))
          .join('');
    }
  }
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, scope) ?? null);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = resolveValue(v, scope);
      if (resolved !== undefined) out[k] = resolved;
    }
    return out;
  }
  return value;
}
