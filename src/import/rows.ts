/**
 * The rows of a CSV (csv-parse, streaming; header row) or NDJSON file, numbered from 1: for CSV the
 * data records (the header is not a row; blank lines are skipped), for NDJSON the non-blank lines.
 * The numbering depends only on the bytes, so a resumed import finds the same row at the same
 * number. A row that cannot be read (a JSON error, a CSV record with the wrong number of fields)
 * comes out with its problem and is rejected, never dropped; a CSV whose quotes leave the rest of
 * the file unreadable is an error naming where it happened.
 */
import type { Readable } from 'node:stream';
import { ValidationError } from '../errors.js';

export interface ReadRow {
  row: number;
  /** Column → value (CSV: strings). Absent when the row could not be read. */
  values?: Record<string, unknown>;
  /** Why the row could not be read. */
  problem?: string;
  /** The text of an unreadable row (NDJSON) or its fields (CSV). */
  raw?: unknown;
}

export interface CsvOptions {
  delimiter?: string | undefined;
  quote?: string | undefined;
}

/** The header, then the rows of a CSV stream. */
export async function readCsv(
  stream: Readable,
  options: CsvOptions,
): Promise<{ columns: string[]; rows: AsyncGenerator<ReadRow> }> {
  // Loaded here, so that `import 'customerio-connectors'` does not load a CSV parser.
  const { parse } = await import('csv-parse');
  const parser = stream.pipe(
    parse({
      bom: true,
      delimiter: options.delimiter ?? ',',
      quote: options.quote ?? '"',
      skip_empty_lines: true,
      relax_column_count: true,
    }),
  );
  // A read error of the source (a corrupt gzip stream) ends the parser with it.
  stream.once('error', (error) => parser.destroy(error));
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  const first = await next(iterator, 0);
  if (first.done === true) throw new ValidationError('The CSV file is empty: it needs a header row');
  const columns = first.value.map((c) => c.trim());
  const problems: string[] = [];
  const seen = new Set<string>();
  columns.forEach((column, i) => {
    if (column === '') problems.push(`column ${String(i + 1)} of the header has no name`);
    else if (seen.has(column)) problems.push(`the header names "${column}" twice`);
    seen.add(column);
  });
  if (problems.length > 0)
    throw new ValidationError(
      'The CSV header cannot be used',
      problems.map((message) => ({ path: '', message })),
    );
  async function* rows(): AsyncGenerator<ReadRow> {
    let row = 0;
    const width = columns.length;
    for (;;) {
      const result = await next(iterator, row);
      if (result.done === true) return;
      const record = result.value;
      row++;
      if (record.length !== width) {
        yield {
          row,
          problem: `the row has ${String(record.length)} fields; the header has ${String(width)}`,
          raw: record,
        };
        continue;
      }
      const values: Record<string, unknown> = {};
      for (let i = 0; i < width; i++) values[columns[i] as string] = record[i];
      yield { row, values };
    }
  }
  return { columns, rows: rows() };
}

async function next(iterator: AsyncIterator<string[]>, row: number): Promise<IteratorResult<string[]>> {
  try {
    return await iterator.next();
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown }).code;
    throw new ValidationError(
      code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR'
        ? `The gzip data is corrupt after row ${String(row)} (${message})`
        : `The CSV cannot be read after row ${String(row)}: ${message}. A quote that is not closed makes the rest of the file one field; fix the file, check it with --dry-run, and import it again`,
    );
  }
}

/** The rows of an NDJSON stream: one JSON object per line (blank lines skipped). */
export async function* readNdjson(stream: Readable): AsyncGenerator<ReadRow> {
  stream.setEncoding('utf8');
  let rest = '';
  let row = 0;
  let first = true;
  const parseLine = (line: string): ReadRow | undefined => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return undefined;
    row++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { row, problem: `not valid JSON: ${(error as Error).message}`, raw: text };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { row, problem: 'not a JSON object', raw: text };
    return { row, values: value as Record<string, unknown> };
  };
  try {
    for await (const chunk of stream) {
      let text = rest + (chunk as string);
      if (first) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      let start = 0;
      let end = text.indexOf('\n', start);
      while (end !== -1) {
        const read = parseLine(text.slice(start, end));
        if (read !== undefined) yield read;
        start = end + 1;
        end = text.indexOf('\n', start);
      }
      rest = text.slice(start);
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')
      throw new ValidationError(
        `The gzip data is corrupt after row ${String(row)} (${(error as Error).message})`,
      );
    throw error;
  }
  const last = parseLine(rest);
  if (last !== undefined) yield last;
}
