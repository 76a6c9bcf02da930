/** `--output json|ndjson|table` for operation results. */
import { ValidationError } from '../errors.js';
import { printJson, printText, type Io } from './io.js';

export const OUTPUT_FORMATS = ['json', 'ndjson', 'table'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * The list inside a result: the result itself, the listing's item property when the operation
 * paginates (`identifiers` beside `ids`), or its only array property (`{ results: [...] }`).
 */
function itemsOf(value: unknown, itemsKey?: string): unknown[] | undefined {
  if (Array.isArray(value)) return value as unknown[];
  if (typeof value === 'object' && value !== null) {
    const listed = itemsKey === undefined ? undefined : (value as Record<string, unknown>)[itemsKey];
    if (Array.isArray(listed)) return listed as unknown[];
    const arrays = Object.values(value).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0] as unknown[];
  }
  return undefined;
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function printOutput(io: Io, value: unknown, format: string | undefined, itemsKey?: string): void {
  switch (format ?? 'json') {
    case 'json':
      printJson(io, value);
      return;
    case 'ndjson': {
      const items = itemsOf(value, itemsKey) ?? [value];
      for (const item of items) io.stdout.write(`${JSON.stringify(item)}\n`);
      return;
    }
    case 'table': {
      const items = itemsOf(value, itemsKey);
      if (
        items !== undefined &&
        items.length > 0 &&
        items.every((i) => typeof i === 'object' && i !== null && !Array.isArray(i))
      ) {
        const columns = [...new Set(items.flatMap((i) => Object.keys(i as object)))];
        printText(
          io,
          formatTable(
            columns.map((c) => c.toUpperCase()),
            items.map((i) => columns.map((c) => cell((i as Record<string, unknown>)[c]))),
          ),
        );
        return;
      }
      const entries =
        typeof value === 'object' && value !== null ? Object.entries(value) : [['value', value]];
      printText(
        io,
        formatTable(
          ['FIELD', 'VALUE'],
          entries.map(([k, v]) => [String(k), cell(v)]),
        ),
      );
      return;
    }
    default:
      throw new ValidationError(`--output must be json, ndjson or table, not "${format ?? ''}"`);
  }
}
