/** `cioc ops` and `cioc describe`: the registry, as a table or JSON. */
import { ValidationError } from '../../errors.js';
import { listOperations, requireOperation } from '../../operations/registry.js';
import type { AnyOperation } from '../../operations/types.js';
import { isConnectorId } from '../../regions.js';
import { printJson, printText, type Io } from '../io.js';
import { formatTable } from '../output.js';
import { fieldsOf, plain, typeText, wrap, type FieldLine } from '../help-text.js';
import { exampleCommand, flagsFor, kebab } from '../schema-flags.js';

/** The registry entry as data: what `--json` prints and what docs are generated from. */
export function describeOperation(op: AnyOperation): Record<string, unknown> {
  return {
    id: op.id,
    connector: op.connector,
    title: op.title,
    description: op.description,
    method: op.method,
    path: op.path,
    safety: op.safety,
    input: op.input,
    output: op.output,
    examples: op.examples,
  };
}

export interface OpsFlags {
  json?: boolean;
  connector?: string;
  search?: string;
}

/** `cioc app list-segments` for `app.list_segments`. */
export function commandOf(op: AnyOperation): string {
  return `cioc ${op.connector} ${kebab(op.id.slice(op.id.indexOf('.') + 1))}`;
}

function matches(op: AnyOperation, search: string): boolean {
  const words = search
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  const haystack = [op.id, commandOf(op), op.title, op.description, `${op.method} ${op.path}`]
    .join('\n')
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}

export function opsCommand(io: Io, flags: OpsFlags): void {
  if (flags.connector !== undefined && !isConnectorId(flags.connector)) {
    throw new ValidationError(`Unknown connector "${flags.connector}": use track, app or beta`);
  }
  const search = flags.search;
  const ops = listOperations(flags.connector).filter((op) => search === undefined || matches(op, search));
  if (flags.json === true) {
    printJson(
      io,
      ops.map((op) => ({
        id: op.id,
        command: commandOf(op),
        connector: op.connector,
        title: op.title,
        method: op.method,
        path: op.path,
        safety: op.safety,
      })),
    );
    return;
  }
  if (ops.length === 0) {
    printText(io, `No operation matches "${search ?? ''}".`);
    return;
  }
  // On a terminal the table fits its width (the title is cut); elsewhere nothing is cut.
  const width = io.stdout.isTTY === true ? Math.max(60, io.stdout.columns ?? 100) : Infinity;
  const commandWidth = Math.max(...ops.map((op) => commandOf(op).length));
  const titleWidth = Math.max(12, width - commandWidth - 'READ !'.length - 4);
  const rows = ops.map((op) => [commandOf(op), cut(op.title, titleWidth), shortSafety(op)]);
  printText(io, formatTable(['COMMAND', 'TITLE', 'SAFETY'], rows));
  printText(
    io,
    [
      '',
      'SAFETY: read = no effect, idem = safe to repeat, once = never resent, ! = destructive.',
      'More on one: cioc describe <command or id>. Every field: --json.',
    ].join('\n'),
  );
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

function shortSafety(op: AnyOperation): string {
  const kind = op.method === 'GET' ? 'read' : op.safety.idempotent ? 'idem' : 'once';
  return op.safety.destructive ? `${kind} !` : kind;
}

/** `app.list_segments`, or the command form: `app list-segments` (with or without `cioc`). */
export function operationIdOf(words: readonly string[]): string {
  const parts = words[0] === 'cioc' ? words.slice(1) : [...words];
  if (parts.length === 2 && parts[0] !== undefined && parts[1] !== undefined && isConnectorId(parts[0]))
    return `${parts[0]}.${parts[1].replace(/-/g, '_')}`;
  return parts.join(' ');
}

/** `requireOperation`, with the CLI's own hint: where a person finds the ids. */
export function operationForCli(id: string): AnyOperation {
  try {
    return requireOperation(id);
  } catch (error) {
    if (error instanceof ValidationError)
      error.hint ??= '`cioc ops` lists them all (`cioc ops --search <words>` to filter).';
    throw error;
  }
}

export function describeCommand(io: Io, words: readonly string[], flags: { json?: boolean }): void {
  const op = operationForCli(operationIdOf(words));
  if (flags.json === true) {
    printJson(io, describeOperation(op));
    return;
  }
  const width = Math.min(100, io.stdout.isTTY === true ? (io.stdout.columns ?? 100) : 100);
  const specs = flagsFor(op.input);
  // Top-level fields with their sub-fields, two levels down (`segment`: `name`, `description`).
  const input = fieldsOf(op.input, 2);
  const output = fieldsOf(op.output, 2);
  const fieldBlock = (fields: readonly FieldLine[], flag: boolean, level = 0): string[] =>
    fields.flatMap((f) => {
      const spec = flag ? specs.find((s) => s.property === f.name) : undefined;
      const name = spec !== undefined ? `${f.name}  (--${spec.flag})` : f.name;
      const facts = [f.type, f.required ? 'required' : '', f.limits].filter((x) => x !== '').join('; ');
      const indent = '  '.repeat(2 * level + 1);
      const more = `${indent}${level > 0 ? '  ' : ''}    `;
      const head = `${indent}${level > 0 ? '· ' : ''}${name}: `;
      const lines = [`${head}${wrap(facts, width - head.length, more)}`];
      if (f.description !== '') lines.push(`${more}${wrap(f.description, width - more.length, more)}`);
      return [...lines, ...fieldBlock(f.fields, false, level + 1)];
    });
  const lines = [
    `${op.title}  (${op.id})`,
    `  ${commandOf(op)}`,
    '',
    wrap(plain(op.description), width, ''),
    '',
    `Request:  ${op.method} ${op.path}`,
    `Safety:   ${safetyText(op)}`,
    '',
    'Input:',
    ...(input.length > 0 ? fieldBlock(input, true) : [`  ${typeText(op.input)}`]),
    '',
    'Output:',
    ...(output.length > 0 ? fieldBlock(output, false) : [`  ${typeText(op.output)}`]),
    ...op.examples.flatMap((e) => [
      '',
      `Example: ${e.summary}`,
      `  ${exampleCommand(commandOf(op), specs, e.input)} --auth <name>`,
      `  cioc run ${op.id} --auth <name> --input '${JSON.stringify(e.input).replace(/'/g, "'\\''")}'`,
    ]),
    '',
    `Full schemas: cioc describe ${op.id} --json`,
  ];
  printText(io, lines.join('\n'));
}

function safetyText(op: AnyOperation): string {
  const parts = [op.safety.idempotent ? 'idempotent' : 'not idempotent'];
  if (op.safety.destructive) parts.push('destructive');
  parts.push(`bucket ${op.safety.rateBucket}`);
  return parts.join(', ');
}
