/** `cioc ops` and `cioc describe`: the registry, as a table or JSON. */
import { ValidationError } from '../../errors.js';
import { listOperations, requireOperation } from '../../operations/registry.js';
import type { AnyOperation } from '../../operations/types.js';
import { isConnectorId } from '../../regions.js';
import { printJson, printText, type Io } from '../io.js';
import { formatTable } from '../output.js';

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

export function opsCommand(io: Io, flags: { json?: boolean; connector?: string }): void {
  if (flags.connector !== undefined && !isConnectorId(flags.connector)) {
    throw new ValidationError(`Unknown connector "${flags.connector}": use track, app or beta`);
  }
  const ops = listOperations(flags.connector);
  if (flags.json === true) {
    printJson(
      io,
      ops.map((op) => ({
        id: op.id,
        connector: op.connector,
        title: op.title,
        method: op.method,
        path: op.path,
        safety: op.safety,
      })),
    );
    return;
  }
  const rows = ops.map((op) => [op.id, op.title, `${op.method} ${op.path}`, safetyText(op)]);
  printText(io, formatTable(['OPERATION', 'TITLE', 'REQUEST', 'SAFETY'], rows));
}

export function describeCommand(io: Io, id: string, flags: { json?: boolean }): void {
  const op = requireOperation(id);
  if (flags.json === true) {
    printJson(io, describeOperation(op));
    return;
  }
  const lines = [
    `${op.title}  (${op.id})`,
    '',
    op.description,
    '',
    `Request:  ${op.method} ${op.path}`,
    `Safety:   ${safetyText(op)}`,
    '',
    'Input schema:',
    JSON.stringify(op.input, null, 2),
    '',
    ...op.examples.flatMap((e) => [
      `Example: ${e.summary}`,
      `  cioc run ${op.id} --input '${JSON.stringify(e.input)}'`,
    ]),
  ];
  printText(io, lines.join('\n'));
}

function safetyText(op: AnyOperation): string {
  const parts = [op.safety.idempotent ? 'idempotent' : 'not idempotent'];
  if (op.safety.destructive) parts.push('destructive');
  parts.push(`bucket ${op.safety.rateBucket}`);
  return parts.join(', ');
}
