/** JSON Schema → a TypeScript type, for the generated operations' inputs and outputs. */
type Json = Record<string, unknown>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

export function tsType(schema: unknown, depth = 0): string {
  if (typeof schema !== 'object' || schema === null) return 'unknown';
  const node = schema as Json;
  if (depth > 6) return 'unknown';
  if ('const' in node) return JSON.stringify(node['const']);
  if (Array.isArray(node['enum'])) return node['enum'].map((v) => JSON.stringify(v)).join(' | ') || 'never';
  if (Array.isArray(node['anyOf'])) return union(node['anyOf'].map((b) => tsType(b, depth + 1)));
  if (Array.isArray(node['allOf'])) {
    const parts = node['allOf'].map((b) => tsType(b, depth + 1));
    if (node['properties'] !== undefined) parts.push(tsType({ ...node, allOf: undefined }, depth + 1));
    return parts.map((p) => `(${p})`).join(' & ');
  }
  const types = Array.isArray(node['type'])
    ? (node['type'] as string[])
    : typeof node['type'] === 'string'
      ? [node['type']]
      : [];
  if (types.length === 0) return node['properties'] !== undefined ? objectType(node, depth) : 'unknown';
  return union(
    types.map((type) => {
      switch (type) {
        case 'string':
          return 'string';
        case 'integer':
        case 'number':
          return 'number';
        case 'boolean':
          return 'boolean';
        case 'null':
          return 'null';
        case 'array':
          return `Array<${tsType(node['items'], depth + 1)}>`;
        case 'object':
          return objectType(node, depth);
        default:
          return 'unknown';
      }
    }),
  );
}

function union(parts: string[]): string {
  const unique = [...new Set(parts)];
  if (unique.includes('unknown')) return 'unknown';
  return unique.length === 1
    ? (unique[0] ?? 'unknown')
    : unique.map((p) => (p.includes('=>') ? `(${p})` : p)).join(' | ');
}

function objectType(node: Json, depth: number): string {
  const properties = (node['properties'] as Record<string, unknown> | undefined) ?? {};
  const required = new Set(Array.isArray(node['required']) ? (node['required'] as string[]) : []);
  const members = Object.entries(properties).map(
    ([name, value]) => `${key(name)}${required.has(name) ? '' : '?'}: ${tsType(value, depth + 1)}`,
  );
  const additional = node['additionalProperties'];
  if (additional === undefined || additional === true) members.push('[key: string]: unknown');
  else if (typeof additional === 'object' && additional !== null) {
    // Declared fields must fit the index signature, so it is precise only when there are none.
    const precise = members.length === 0;
    members.push(`[key: string]: ${precise ? `${tsType(additional, depth + 1)} | undefined` : 'unknown'}`);
  }
  return members.length === 0 ? 'Record<string, never>' : `{ ${members.join('; ')} }`;
}
