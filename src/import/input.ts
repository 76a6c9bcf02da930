/**
 * The file an import reads: a path or `-` (standard input), gzip recognised by its magic bytes, its
 * format from `--format`, the name (`.csv`, `.tsv`, `.ndjson`, `.jsonl`, `.json`, each optionally
 * `.gz`) or, for standard input, the first character (`{` → NDJSON). A file's fingerprint is the
 * SHA-256 of its content (decompressed) and its size: the same content anywhere, under any name or
 * modification time, compressed or not, is the same import.
 */
import { createHash } from 'node:crypto';
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ValidationError } from '../errors.js';

export type ImportFormat = 'csv' | 'ndjson';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['csv', 'ndjson'];

export interface OpenedInput {
  /** The decompressed bytes. */
  stream: Readable;
  /** The file's size in bytes as stored; undefined for standard input. */
  size: number | undefined;
  /** Bytes read so far, as stored (so that `bytesRead / size` is the share done). */
  bytesRead(): number;
  gzip: boolean;
  format: ImportFormat;
  /** Tab for `.tsv` files unless a delimiter was given. */
  defaultDelimiter: string | undefined;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * `sha256:<hex>:<size>` of a file's content, decompressed (a `.csv.gz` and the same `.csv` are the
 * same import): read once, before the import reads it again. A gzip file that cannot be
 * decompressed to its end gets the fingerprint of its bytes as stored (`sha256-stored:`), so that
 * its readable rows still import (the read stops at the corruption, naming the row).
 */
export async function fingerprintFile(path: string): Promise<string> {
  const head = Buffer.alloc(2);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  const gzip = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  const digest = async (source: Readable, prefix: string): Promise<string> => {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of source) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return `${prefix}:${hash.digest('hex')}:${String(size)}`;
  };
  const stored = (): Readable => createReadStream(path, { highWaterMark: 1 << 18 });
  if (!gzip) return digest(stored(), 'sha256');
  try {
    const file = stored();
    const gunzip = createGunzip();
    file.once('error', (error) => gunzip.destroy(error));
    return await digest(file.pipe(gunzip), 'sha256');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code?.startsWith('Z_') !== true) throw error;
    return digest(stored(), 'sha256-stored');
  }
}

/** Checks that `path` is a readable regular file; a clear error otherwise. */
export function checkFile(path: string): number {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ValidationError(
      code === 'ENOENT' ? `No such file: ${path}` : `Cannot read ${path} (${code ?? 'error'})`,
    );
  }
  if (stats.isDirectory()) throw new ValidationError(`${path} is a directory, not a file`);
  return stats.size;
}

function formatFromName(path: string): { format: ImportFormat | undefined; tsv: boolean } {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return { format: 'csv', tsv: false };
  if (name.endsWith('.tsv')) return { format: 'csv', tsv: true };
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl') || name.endsWith('.json'))
    return { format: 'ndjson', tsv: false };
  return { format: undefined, tsv: false };
}

/** Opens `file` (`-` for `stdin`) for reading, decompressing gzip. */
export async function openInput(
  file: string,
  options: { format?: ImportFormat | undefined; stdin?: NodeJS.ReadableStream | undefined },
): Promise<OpenedInput> {
  let bytes = 0;
  if (file === '-') {
    const stdin = options.stdin ?? process.stdin;
    const peeked = await peek(stdin instanceof Readable ? stdin : Readable.from(stdin));
    const first = peeked.first;
    const gzip = first.length >= 2 && first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
    const counted = peeked.stream.pipe(counter((n) => (bytes += n)));
    let stream: Readable = gzip ? counted.pipe(createGunzip()) : counted;
    let format = options.format;
    if (format === undefined) {
      let text = first.toString('utf8');
      if (gzip) {
        const inner = await peek(stream);
        stream = inner.stream;
        text = inner.first.toString('utf8');
      }
      format = text
        .replace(/^\uFEFF/, '')
        .trimStart()
        .startsWith('{')
        ? 'ndjson'
        : 'csv';
    }
    return { stream, size: undefined, bytesRead: () => bytes, gzip, format, defaultDelimiter: undefined };
  }
  const size = checkFile(file);
  const head = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 2, 0);
  } finally {
    closeSync(fd);
  }
  const gzip = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  const named = formatFromName(file);
  const format = options.format ?? named.format;
  if (format === undefined)
    throw new ValidationError(
      `Cannot tell the format of ${file} from its name: give --format csv or --format ndjson`,
    );
  const source = createReadStream(file, { highWaterMark: 1 << 16 });
  const counted = source.pipe(counter((n) => (bytes += n)));
  const stream = gzip ? counted.pipe(createGunzip()) : counted;
  return {
    stream,
    size,
    bytesRead: () => bytes,
    gzip,
    format,
    defaultDelimiter: named.tsv ? '\t' : undefined,
  };
}

/** A pass-through that tells how many bytes went by. */
function counter(count: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      count(chunk.length);
      callback(null, chunk);
    },
  });
}

/** The first chunk of a stream, and a stream of all its bytes (that chunk included). */
async function peek(source: Readable): Promise<{ first: Buffer; stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  const toBuffer = (chunk: unknown): Buffer =>
    Buffer.isBuffer(chunk)
      ? chunk
      : typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk as Uint8Array);
  const head = await iterator.next();
  const first = head.done === true ? Buffer.alloc(0) : toBuffer(head.value);
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield toBuffer(next.value);
    }
  }
  return { first, stream: Readable.from(all(), { objectMode: false }) };
}
