/**
 * Text for people, derived from the registry: spec descriptions without their markup, and an
 * input or output schema as a readable field list (name, type, required, limits, description).
 */

type Node = Record<string, unknown>;
const asNode = (value: unknown): Node => (typeof value === 'object' && value !== null ? (value as Node) : {});

/**
 * The spec's Markdown as plain text: `[App API](#tag/Segments)` → `App API`, an absolute link keeps
 * its address in parentheses, `**NOTE**` → `NOTE`. Code spans stay: they read well in a terminal.
 */
export function plain(text: string): string {
  return text
    .replace(/\[([^\]]*)\]\((https?:\/\/[^)\s]+)\)/g, '$1 ($2)')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*(?=[\s.,;:)]|$)/g, '$1$2')
    .replace(/<\/?(br|p|b|strong|em|i|code|ul|li)\s*\/?>/gi, ' ');
}

/** `string`, `integer ≥ 1`, `one of: a, b`, `array of object`, `object`… */
export function typeText(schema: unknown): string {
  const node = asNode(schema);
  const type = node['type'];
  const branches = Array.isArray(node['anyOf'])
    ? (node['anyOf'] as unknown[]).map(asNode)
    : Array.isArray(node['oneOf'])
      ? (node['oneOf'] as unknown[]).map(asNode)
      : [];
  if (typeof node['const'] === 'string' || typeof node['const'] === 'number')
    return JSON.stringify(node['const']);
  if (Array.isArray(node['enum'])) return `one of: ${(node['enum'] as unknown[]).map(String).join(', ')}`;
  if (branches.length > 0) {
    const values = (b: Node): unknown[] | undefined =>
      b['const'] !== undefined
        ? [b['const']]
        : Array.isArray(b['enum'])
          ? (b['enum'] as unknown[])
          : undefined;
    if (branches.every((b) => values(b) !== undefined))
      return `one of: ${[...new Set(branches.flatMap((b) => values(b) ?? []).map(String))].join(', ')}`;
    return [...new Set(branches.map(typeText))].join(' or ');
  }
  if (type === 'array') return `array of ${typeText(node['items'])}`;
  if (Array.isArray(type)) return (type as unknown[]).map(String).join(' or ');
  if (typeof type === 'string') return type;
  return 'any JSON';
}

/** `1–150 characters`, `at most 1000 items`, `≥ 0`… from the usual JSON-Schema keywords. */
export function limitsText(schema: unknown): string {
  const node = asNode(schema);
  const range = (min: unknown, max: unknown, unit: string): string | undefined => {
    const lo = typeof min === 'number' ? min : undefined;
    const hi = typeof max === 'number' ? max : undefined;
    if (lo !== undefined && hi !== undefined) return `${String(lo)}–${String(hi)}${unit}`;
    if (hi !== undefined) return `at most ${String(hi)}${unit}`;
    if (lo === 1 && unit !== '') return 'not empty';
    if (lo !== undefined && (lo > 0 || unit === '')) return `at least ${String(lo)}${unit}`;
    return undefined;
  };
  const parts = [
    range(node['minLength'], node['maxLength'], ' characters'),
    range(node['minItems'], node['maxItems'], ' items'),
    range(node['minimum'], node['maximum'], ''),
    typeof node['maxBytes'] === 'number' ? `at most ${String(node['maxBytes'])} bytes` : undefined,
    typeof node['format'] === 'string' ? `format ${node['format']}` : undefined,
    typeof node['pattern'] === 'string' ? `pattern ${node['pattern']}` : undefined,
  ];
  return parts.filter((p): p is string => p !== undefined).join(', ');
}

export interface FieldLine {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly limits: string;
  readonly description: string;
  /** An object's own fields (or an array's items'), `depth` levels down at most. */
  readonly fields: readonly FieldLine[];
}

/**
 * The object a schema describes, or its items' for an array: its properties and which are
 * required. A union of objects merges its branches (required: what every branch requires).
 */
function objectOf(schema: unknown): { properties: Node; required: Set<string> } | undefined {
  let node = asNode(schema);
  if (node['type'] === 'array') node = asNode(node['items']);
  if (node['properties'] !== undefined) {
    const required = Array.isArray(node['required']) ? (node['required'] as string[]) : [];
    return { properties: asNode(node['properties']), required: new Set(required) };
  }
  const branches = (Array.isArray(node['anyOf']) ? (node['anyOf'] as unknown[]) : [])
    .map((b) => objectOf(b))
    .filter((b) => b !== undefined);
  if (branches.length === 0) return undefined;
  // A field whose schema differs between branches (`type`, `action`) shows every branch's.
  const seen = new Map<string, Map<string, unknown>>();
  for (const branch of branches)
    for (const [name, value] of Object.entries(branch.properties)) {
      const variants = seen.get(name) ?? new Map<string, unknown>();
      variants.set(JSON.stringify(value), value);
      seen.set(name, variants);
    }
  const properties: Node = {};
  for (const [name, variants] of seen) {
    const list = [...variants.values()];
    // A description only when every branch gives the same (`id` differs per entity type).
    const texts = new Set(list.map((v) => asNode(v)['description']));
    const [only] = texts;
    const description = texts.size === 1 && typeof only === 'string' ? only : undefined;
    properties[name] =
      list.length === 1 ? list[0] : { anyOf: list, ...(description === undefined ? {} : { description }) };
  }
  const required = new Set(
    Object.keys(properties).filter((name) => branches.every((b) => b.required.has(name))),
  );
  return { properties, required };
}

/** The properties of an object schema (of its items for an array; merged for a union of objects). */
export function fieldsOf(schema: unknown, depth = 0): FieldLine[] {
  const object = objectOf(schema);
  if (object === undefined) return [];
  return Object.entries(object.properties).map(([name, value]) => {
    const property = asNode(value);
    const description =
      typeof property['description'] === 'string'
        ? property['description']
        : typeof property['title'] === 'string' && property['title'] !== name
          ? property['title']
          : '';
    return {
      name,
      type: typeText(property),
      required: object.required.has(name),
      limits: limitsText(property),
      description: plain(description).replace(/\s+/g, ' ').trim(),
      fields: depth > 0 ? fieldsOf(property, depth - 1) : [],
    };
  });
}

/** Word-wraps `text` to `width` columns, every line after the first indented by `indent`. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.join(`\n${indent}`);
}
