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
    if (branches.every((b) => b['const'] !== undefined))
      return `one of: ${branches.map((b) => String(b['const'])).join(', ')}`;
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
}

/** The top-level properties of an object schema (the first branch of a union of objects). */
export function fieldsOf(schema: unknown): FieldLine[] {
  let node = asNode(schema);
  if (node['properties'] === undefined && Array.isArray(node['anyOf']))
    node = asNode((node['anyOf'] as unknown[]).find((b) => asNode(b)['properties'] !== undefined));
  const required = new Set(Array.isArray(node['required']) ? (node['required'] as string[]) : []);
  return Object.entries(asNode(node['properties'])).map(([name, value]) => {
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
      required: required.has(name),
      limits: limitsText(property),
      description: plain(description).replace(/\s+/g, ' ').trim(),
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
