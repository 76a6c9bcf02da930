/**
 * Deterministic samples of JSON Schemas, in two flavours: `request` (the fields an example input
 * needs: required ones, or the first when none is) for the generated operations' examples, and
 * `response` (every field) for what the emulator answers where it keeps no state.
 */
type Node = Record<string, unknown>;
const asNode = (value: unknown): Node => (typeof value === 'object' && value !== null ? (value as Node) : {});

export type SampleFlavour = 'request' | 'response';

const MAX_DEPTH = 5;

function stringFor(name: string, flavour: SampleFlavour): string {
  if (flavour === 'response' && name === 'next') return ''; // the last page
  if (/email/.test(name)) return 'ada@example.com';
  if (flavour === 'request') {
    if (/url|endpoint/.test(name)) return 'https://example.com/hook';
    if (/language/.test(name)) return 'fr';
    if (/(^|_)id$|_ids?$|^id$/.test(name)) return '1';
    return 'example';
  }
  if (/url|href|endpoint/.test(name)) return 'https://example.com/emulated';
  if (/(^|_)id$|^id$/.test(name)) return '1';
  return `emulated ${name || 'value'}`.trim();
}

export function sampleOf(
  schema: unknown,
  flavour: SampleFlavour = 'response',
  name = '',
  depth = 0,
): unknown {
  const node = asNode(schema);
  if ('const' in node) return node['const'];
  if (Array.isArray(node['enum']) && node['enum'].length > 0) return node['enum'][0];
  if (node['default'] !== undefined) return node['default'];
  if (Array.isArray(node['anyOf']) && node['anyOf'].length > 0)
    return sampleOf(node['anyOf'][0], flavour, name, depth);
  if (Array.isArray(node['allOf'])) {
    const merged: Node = {};
    for (const part of node['allOf']) {
      const value = sampleOf(part, flavour, name, depth);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(merged, value);
    }
    if (node['properties'] !== undefined)
      Object.assign(merged, sampleOf({ ...node, allOf: undefined, type: 'object' }, flavour, name, depth));
    return merged;
  }
  const type = Array.isArray(node['type'])
    ? (node['type'] as unknown[]).find((t) => t !== 'null')
    : node['type'];
  switch (type) {
    case 'integer':
    case 'number':
      if (typeof node['minimum'] === 'number') return node['minimum'];
      return flavour === 'response' && /(^|_)(at|ts|timestamp|created|updated|start|end)$/.test(name)
        ? 1_700_000_000
        : 1;
    case 'boolean':
      return flavour === 'request';
    case 'array': {
      if (depth > MAX_DEPTH) return [];
      const length =
        flavour === 'response' && typeof node['minItems'] === 'number' ? Math.max(1, node['minItems']) : 1;
      return Array.from({ length }, () => sampleOf(node['items'], flavour, name, depth + 1));
    }
    case 'object': {
      const properties = asNode(node['properties']);
      const required = Array.isArray(node['required']) ? (node['required'] as string[]) : undefined;
      // A request sample holds the required fields, or the first when none is (an identifier
      // object such as `{id}` means one); a response sample holds every field.
      const keys =
        flavour === 'request'
          ? (required ?? Object.keys(properties).slice(0, 1))
          : Object.keys(properties).filter((key) => depth <= MAX_DEPTH || required?.includes(key) === true);
      return Object.fromEntries(keys.map((key) => [key, sampleOf(properties[key], flavour, key, depth + 1)]));
    }
    case 'string':
      return stringFor(name, flavour);
    default:
      return flavour === 'request' ? 'example' : name === '' ? {} : null;
  }
}
