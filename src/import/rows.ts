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
  /** CSV: the record's fields, in header order. */
  fields?: string[];
  /** NDJSON: the line's object. */
  values?: Record<string, unknown>;
  /** Why the row could not be read. */
  problem?: string;
  /** The text of an unreadable row (NDJSON) or its fields (CSV). */
  raw?: unknown;
}

export interface CsvOptions {
  delimiter?: string | undefined;
  quote?: string | undefined;
  /** A quote inside an unquoted field is part of it (csv-parse `relax_quotes`). */
  relaxQuotes?: boolean | undefined;
}

/** The header, then the rows of a CSV stream, in batches (as many as each chunk of input holds). */
export async function readCsv(
  stream: Readable,
  options: CsvOptions,
): Promise<{ columns: string[]; rows: AsyncGenerator<ReadRow[]> }> {
  // Loaded here, so that `import 'customerio-connectors'` does not load a CSV parser.
  const { parse } = await import('csv-parse');
  const parser = stream.pipe(
    parse({
      bom: true,
      delimiter: options.delimiter ?? ',',
      quote: options.quote ?? '"',
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: options.relaxQuotes === true,
    }),
  );
  // A read error of the source (a corrupt gzip stream) ends the parser with it.
  stream.once('error', (error) => parser.destroy(error));
  const records = recordBatches(parser);
  let row = 0;
  const first = await next(records, row);
  const firstRecords: string[][] = first.done === true ? [] : first.value;
  const header = firstRecords.shift();
  if (header === undefined) throw new ValidationError('The CSV file is empty: it needs a header row');
  const columns = header.map((c) => c.trim());
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
  const width = columns.length;
  const toRows = (batch: string[][]): ReadRow[] =>
    batch.map((fields) => {
      row++;
      return fields.length === width
        ? { row, fields }
        : {
            row,
            problem: `the row has ${String(fields.length)} fields; the header has ${String(width)}`,
            raw: fields,
          };
    });
  async function* rows(): AsyncGenerator<ReadRow[]> {
    if (firstRecords.length > 0) yield toRows(firstRecords);
    for (;;) {
      const result = await next(records, row);
      if (result.done === true) return;
      yield toRows(result.value);
    }
  }
  return { columns, rows: rows() };
}

/** The records of an object stream, as many at a time as are ready (one promise per batch, not per record). */
async function* recordBatches(parser: Readable): AsyncGenerator<string[][]> {
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  parser.on('readable', () => wake?.());
  parser.on('end', () => {
    ended = true;
    wake?.();
  });
  parser.on('error', (error: Error) => {
    failure = error;
    wake?.();
  });
  for (;;) {
    if (failure !== undefined) throw failure;
    const batch: string[][] = [];
    let record: unknown;
    while ((record = parser.read()) !== null) batch.push(record as string[]);
    if (batch.length > 0) yield batch;
    // Set by the 'end' listener while this generator waited.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    else if (ended) return;
    else
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
  }
}

async function next(iterator: AsyncIterator<string[][]>, row: number): Promise<IteratorResult<string[][]>> {
  try {
    return await iterator.next();
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const { code, records, lines } = error as { code?: unknown; records?: unknown; lines?: unknown };
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')
      throw new ValidationError(`The gzip data is corrupt after row ${String(row)} (${message})`);
    // csv-parse counts the records it parsed (the header among them) and the file's lines: rows
    // parsed in the chunk that failed were never handed out, so `row` alone may be behind.
    const good = typeof records === 'number' ? Math.max(row, records - 1) : row;
    const where = `after row ${String(good)}${typeof lines === 'number' ? ` (at line ${String(lines)} of the file)` : ''}`;
    const hint =
      code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'A quote that is not closed makes the rest of the file one field; fix the file, check it with --dry-run, and import it again'
        : code === 'INVALID_OPENING_QUOTE' || code === 'CSV_INVALID_CLOSING_QUOTE'
          ? 'A quote inside a field that is not quoted, or text after a closing quote: fix the file, or give --relax-quotes to read such quotes as part of the field'
          : 'Fix the file, check it with --dry-run, and import it again';
    throw new ValidationError(`The CSV cannot be read ${where}: ${message}. ${hint}`);
  }
}

/** The rows of an NDJSON stream: one JSON object per line (blank lines skipped), in batches. */
export async function* readNdjson(
  stream: Readable,
  /** Rows up to this one are only counted, not parsed (read when the first row is asked for). */
  skipThrough: () => number = () => 0,
): AsyncGenerator<ReadRow[]> {
  const skip = skipThrough();
  stream.setEncoding('utf8');
  let rest = '';
  let row = 0;
  let first = true;
  const parseLine = (line: string): ReadRow | undefined => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return undefined;
    row++;
    // Rows a previous run acknowledged are only counted (a resume skips them).
    if (row <= skip) return { row };
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
      const batch: ReadRow[] = [];
      while (end !== -1) {
        const read = parseLine(text.slice(start, end));
        if (read !== undefined) batch.push(read);
        start = end + 1;
        end = text.indexOf('\n', start);
      }
      rest = text.slice(start);
      if (batch.length > 0) yield batch;
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
  if (last !== undefined) yield [last];
}
