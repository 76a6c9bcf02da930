/**
 * docs/operations.md, derived from the registry: per connector, each operation's title,
 * description, request, inputs with types, safety and an example. `npm run gen` writes it; a test
 * fails when the committed file is stale.
 */
import { CONNECTORS } from '../connectors.js';
import { listOperations } from '../operations/registry.js';
import type { AnyOperation } from '../operations/types.js';
import { CONNECTOR_IDS, baseUrlFor } from '../regions.js';
import { exampleCommand, flagsFor, kebab } from '../cli/schema-flags.js';

type Node = Record<string, unknown>;
const asNode = (value: unknown): Node => (typeof value === 'object' && value !== null ? (value as Node) : {});

/** A short type for a schema: `string`, `integer ≥ 0`, `"event" | "page"`, `object`, `array of …`. */
export function typeText(schema: unknown): string {
  const node = asNode(schema);
  if ('const' in node) return JSON.stringify(node['const']);
  const branches = Array.isArray(node['anyOf']) ? (node['anyOf'] as unknown[]) : undefined;
  if (branches !== undefined) return [...new Set(branches.map(typeText))].join(' \\| ');
  const type = node['type'];
  if (type === 'array') return `array of ${typeText(node['items'])}`;
  if (type === 'object' && node['properties'] === undefined && node['patternProperties'] !== undefined)
    return 'object (map)';
  if (typeof type === 'string') {
    const bounds: string[] = [];
    if (typeof node['minimum'] === 'number') bounds.push(`≥ ${String(node['minimum'])}`);
    if (typeof node['minLength'] === 'number' && node['minLength'] > 0) bounds.push('non-empty');
    return bounds.length === 0 ? type : `${type} (${bounds.join(', ')})`;
  }
  return 'any JSON';
}

function cellText(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
}

function operationSection(op: AnyOperation): string {
  const name = kebab(op.id.slice(op.id.indexOf('.') + 1));
  const specs = flagsFor(op.input);
  const input = asNode(op.input);
  const required = new Set(Array.isArray(input['required']) ? (input['required'] as string[]) : []);
  const rows = Object.entries(asNode(input['properties'])).map(([field, schema]) => {
    const description = asNode(schema)['description'];
    return `| \`${field}\` | ${typeText(schema)} | ${required.has(field) ? 'yes' : ''} | ${cellText(typeof description === 'string' ? description : '')} |`;
  });
  const safety = [
    op.safety.idempotent
      ? 'idempotent (retried freely)'
      : 'not idempotent (never resent once it may have arrived)',
  ];
  if (op.isIdempotent !== undefined) safety.push('decided per call from the input');
  if (op.safety.destructive) safety.push('destructive');
  safety.push(`rate bucket \`${op.safety.rateBucket}\``);
  const example = op.examples[0];
  return [
    `### ${op.title}`,
    '',
    `\`${op.id}\` — \`${op.method} ${op.path}\` — CLI: \`cioc ${op.connector} ${name}\``,
    '',
    op.description,
    '',
    rows.length > 0
      ? ['| Input | Type | Required | Description |', '| --- | --- | --- | --- |', ...rows].join('\n')
      : 'Input: one JSON value (see `cioc describe ' + op.id + '`), given with `--input`.',
    '',
    `Safety: ${safety.join(', ')}.`,
    ...(example === undefined
      ? []
      : [
          '',
          `Example (${example.summary}):`,
          '',
          '```sh',
          `${exampleCommand(`cioc ${op.connector} ${name}`, specs, example.input)} --auth <name>`,
          '```',
        ]),
    '',
  ].join('\n');
}

export function operationsMarkdown(): string {
  const parts = [
    '# All operations',
    '',
    '<!-- Generated from the operation registry by `npm run gen`. Do not edit by hand. -->',
    '',
    `${String(listOperations().length)} operations. Each is also a library call (\`client.run(id, input)\` or the camelCase method) and a CLI command; \`cioc describe <id>\` prints its full input schema.`,
    '',
  ];
  const anchors = anchorsFor(CONNECTOR_IDS.flatMap((c) => listOperations(c)));
  for (const connector of CONNECTOR_IDS) {
    const def = CONNECTORS[connector];
    const ops = listOperations(connector);
    parts.push(
      `## ${def.title} (\`${connector}\`, version ${def.version})`,
      '',
      `${def.description} Base URL: \`${baseUrlFor(connector, 'us')}\` (EU \`${baseUrlFor(connector, 'eu')}\`).`,
      '',
      ...ops.map((op) => `- [${op.title}](#${anchors.get(op.id) ?? ''}) — \`${op.id}\``),
      '',
      ...ops.map(operationSection),
    );
  }
  return `${parts.join('\n').trimEnd()}\n`;
}

/** GitHub-style anchors, unique in the document: a repeated heading gets -1, -2… in order. */
function anchorsFor(ops: readonly AnyOperation[]): Map<string, string> {
  const counts = new Map<string, number>();
  const anchors = new Map<string, string>();
  for (const op of ops) {
    const base = op.title
      .toLowerCase()
      .replace(/[^a-z0-9 -]/g, '')
      .trim()
      .replace(/ /g, '-');
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    anchors.set(op.id, n === 0 ? base : `${base}-${String(n)}`);
  }
  return anchors;
}
