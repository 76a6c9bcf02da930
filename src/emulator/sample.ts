/**
 * A deterministic sample of a JSON Schema: what the emulator answers on routes it has no state
 * for, so that every answer has the shape the spec documents (seeded catalogue data).
 */
type Node = Record<string, unknown>;
const asNode = (value: unknown): Node => (typeof value === 'object' && value !== null ? (value as Node) : {});

export function sampleOf(schema: unknown, name = '', depth = 0): unknown {
  const node = asNode(schema);
  if ('const' in node) return node['const'];
  if (Array.isArray(node['enum']) && node['enum'].length > 0) return node['enum'][0];
  if (node['default'] !== undefined) return node['default'];
  if (Array.isArray(node['anyOf']) && node['anyOf'].length > 0)
    return sampleOf(node['anyOf'][0], name, depth);
  if (Array.isArray(node['allOf'])) {
    const merged: Record<string, unknown> = {};
    for (const part of node['allOf']) {
      const value = sampleOf(part, name, depth);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(merged, value);
    }
    if (node['properties'] !== undefined)
      Object.assign(merged, sampleOf({ ...node, allOf: undefined, type: 'object' }, name, depth));
    return merged;
  }
  const type = Array.isArray(node['type'])
    ? (node['type'] as unknown[]).find((t) => t !== 'null')
    : node['type'];
  switch (type) {
    case 'integer':
    case 'number':
      return typeof node['minimum'] === 'number'
        ? node['minimum']
        : /(^|_)(at|ts|timestamp|created|updated|start|end)$/.test(name)
          ? 1_700_000_000
          : 1;
    case 'boolean':
      return false;
    case 'array': {
      if (depth > 5) return [];
      const min = typeof node['minItems'] === 'number' ? node['minItems'] : 1;
      return Array.from({ length: Math.max(1, min) }, () => sampleOf(node['items'], name, depth + 1));
    }
    case 'object': {
      const properties = asNode(node['properties']);
      const required = new Set(Array.isArray(node['required']) ? (node['required'] as string[]) : []);
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(properties)) {
        if (depth > 5 && !required.has(key)) continue;
        out[key] = sampleOf(value, key, depth + 1);
      }
      return out;
    }
    case 'string':
      if (name === 'next') return '';
      if (/email/.test(name)) return 'ada@example.com';
      if (/url|href|endpoint/.test(name)) return 'https://example.com/emulated';
      if (/(^|_)id$|^id$/.test(name)) return '1';
      return `emulated ${name || 'value'}`.trim();
    default:
      return name === '' ? {} : null;
  }
}
