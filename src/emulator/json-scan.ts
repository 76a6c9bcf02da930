/**
 * One pass over a JSON request body's bytes, before it is parsed, with no recursion:
 * - a cap on how deeply it nests: a body nested thousands deep is a 400, never a stack overflow
 *   (500) in a handler. Customer.io's own cap is not documented (UNCONFIRMED); 128 levels is far
 *   beyond any real payload;
 * - the byte range of each element of a top-level `batch` array (Track v2), so that each item's
 *   size is read off the request as it arrived instead of serialising the parsed item again.
 *
 * Every byte that matters (`{ } [ ] " \ , :`) is ASCII, which UTF-8 never uses inside a multi-byte
 * character, so the scan works on the raw bytes and its offsets are byte offsets.
 */
export const MAX_JSON_DEPTH = 128;

export interface JsonScan {
  /** More than `maxDepth` arrays/objects open inside one another. */
  readonly tooDeep: boolean;
  /** The body's bytes without the whitespace between tokens (its compact size, as sent). */
  readonly compactBytes: number;
  /**
   * The compact byte length (no whitespace between tokens) of each element of the root object's
   * `batch` array (the last `batch` key, as `JSON.parse` keeps the last); `undefined` when there is
   * none (or its key is written with escapes).
   */
  readonly batchItemBytes: number[] | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** `batch` */
const BATCH = [0x62, 0x61, 0x74, 0x63, 0x68];

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Scans a JSON text's bytes (see the module comment). The text need not be valid JSON. */
export function scanJson(bytes: Uint8Array, maxDepth: number = MAX_JSON_DEPTH): JsonScan {
  let depth = 0;
  let rootIsObject = false;
  /** Start of the last string that opened at depth 1 (a key of the root object), and its end. */
  let keyStart = -1;
  let keyEnd = -1;
  /** The root's `batch` key was just read: its value is about to start. */
  let batchValueNext = false;
  /** Inside the `batch` array (its elements are at depth 2). */
  let inBatch = false;
  let items: number[] | undefined;
  /** The current element's first byte (-1 before it starts) and the byte after its last. */
  let itemStart = -1;
  let itemEnd = -1;
  /** Whitespace bytes between tokens so far, and their count at the current element's start and end. */
  let spaces = 0;
  let spacesAtStart = 0;
  let spacesAtEnd = 0;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const c = bytes[i] as number;
    if (c === QUOTE) {
      // A string: skip to its closing quote (a backslash escapes the byte after it).
      const start = i;
      i++;
      while (i < length) {
        const s = bytes[i] as number;
        if (s === BACKSLASH) i += 2;
        else if (s === QUOTE) break;
        else i++;
      }
      if (batchValueNext) items = undefined; // `"batch": "…"`: no array of items
      if (depth === 1) {
        keyStart = start;
        keyEnd = i;
      }
      if (inBatch && depth >= 2) {
        if (depth === 2 && itemStart < 0) {
          itemStart = start;
          spacesAtStart = spaces;
        }
        itemEnd = i + 1;
        spacesAtEnd = spaces;
      }
      batchValueNext = false;
      continue;
    }
    if (isSpace(c)) {
      spaces++;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === 0 && c === OPEN_OBJECT) rootIsObject = true;
      if (batchValueNext) {
        inBatch = c === OPEN_ARRAY;
        items = inBatch ? [] : undefined;
        itemStart = -1;
        batchValueNext = false;
      } else if (inBatch && depth === 2 && itemStart < 0) {
        itemStart = i;
        spacesAtStart = spaces;
      }
      depth++;
      if (depth > maxDepth)
        return { tooDeep: true, compactBytes: length - spaces, batchItemBytes: undefined };
      continue;
    }
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (inBatch && depth === 2) {
        // The batch array closes.
        if (itemStart >= 0) items?.push(itemEnd - itemStart - (spacesAtEnd - spacesAtStart));
        inBatch = false;
        itemStart = -1;
      } else if (inBatch && depth >= 3) {
        itemEnd = i + 1;
        spacesAtEnd = spaces;
      }
      depth--;
      continue;
    }
    if (c === COLON && depth === 1 && rootIsObject) {
      batchValueNext = keyEnd - keyStart - 1 === BATCH.length && isBatchKey(bytes, keyStart + 1);
      continue;
    }
    if (c === COMMA && inBatch && depth === 2) {
      if (itemStart >= 0) items?.push(itemEnd - itemStart - (spacesAtEnd - spacesAtStart));
      itemStart = -1;
      continue;
    }
    // Any other byte (a number, true, false, null).
    if (batchValueNext) items = undefined;
    batchValueNext = false;
    if (inBatch && depth >= 2) {
      if (depth === 2 && itemStart < 0) {
        itemStart = i;
        spacesAtStart = spaces;
      }
      itemEnd = i + 1;
      spacesAtEnd = spaces;
    }
  }
  return { tooDeep: false, compactBytes: length - spaces, batchItemBytes: items };
}

function isBatchKey(bytes: Uint8Array, at: number): boolean {
  for (let k = 0; k < BATCH.length; k++) if (bytes[at + k] !== BATCH[k]) return false;
  return true;
}

/** What the scan of a parsed body found, kept with the parsed value (see `rememberScan`). */
export interface BodyBytes {
  /** The whole body's compact bytes (no whitespace between tokens). */
  readonly total: number;
  readonly batchItemBytes: readonly number[] | undefined;
}

const scans = new WeakMap<object, BodyBytes>();

/** Keeps a parsed body's byte sizes with it, for the routes that check sizes. */
export function rememberScan(parsed: unknown, bytes: BodyBytes): void {
  if (typeof parsed === 'object' && parsed !== null) scans.set(parsed, bytes);
}

/** The byte sizes of a body as it arrived, when the JSON parser saw it (else `undefined`). */
export function bodyBytesOf(parsed: unknown): BodyBytes | undefined {
  return typeof parsed === 'object' && parsed !== null ? scans.get(parsed) : undefined;
}
