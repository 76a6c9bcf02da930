/**
 * Deterministic event ids for an import: the same file, imported the same way, gives every row the
 * same ULID on every run, so a resumed or repeated import is deduplicated by Customer.io instead of
 * storing a second event.
 *
 * - Time part (48 bits, ms): the row's own timestamp when it has one; otherwise the time this
 *   import of this file first started, kept in its checkpoint (so a resume reuses it).
 * - Random part (80 bits): 45 bits from SHA-256 of the import key (the file's fingerprint and the
 *   options that shape its rows), then 35 bits holding a keyed bijection of the row number
 *   (murmur3's finaliser, which is invertible, over the row xor a key word). Two rows of one
 *   import can therefore never share an id (up to 2^32 rows); two imports share none unless their
 *   45-bit key parts collide and a row has the same time.
 */
import { createHash } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export class EventIds {
  /** 45 bits of the import key as the first 9 characters of the random part. */
  private readonly keyChars: string;
  private readonly rowKey: number;
  private cachedMs = -1;
  private cachedTime = '';

  constructor(importKey: string) {
    const digest = createHash('sha256').update(importKey).digest();
    let key = '';
    for (let i = 0; i < 9; i++) key += ALPHABET.charAt((digest[i] ?? 0) & 31);
    this.keyChars = key;
    this.rowKey = digest.readUInt32BE(9);
  }

  /** The id of row `row` (1-based) whose time is `timeMs`. */
  idFor(row: number, timeMs: number): string {
    if (timeMs !== this.cachedMs) {
      this.cachedTime = encodeTime(timeMs);
      this.cachedMs = timeMs;
    }
    return this.cachedTime + this.keyChars + encode32(mix32((row ^ this.rowKey) >>> 0));
  }
}

/** murmur3 fmix32: a bijection on 32-bit integers with good avalanche. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32 bits as 7 Crockford characters (the first carries the top 2 bits). */
function encode32(value: number): string {
  return (
    ALPHABET.charAt(value >>> 30) +
    ALPHABET.charAt((value >>> 25) & 31) +
    ALPHABET.charAt((value >>> 20) & 31) +
    ALPHABET.charAt((value >>> 15) & 31) +
    ALPHABET.charAt((value >>> 10) & 31) +
    ALPHABET.charAt((value >>> 5) & 31) +
    ALPHABET.charAt(value & 31)
  );
}

function encodeTime(ms: number): string {
  let time = '';
  let t = Math.max(0, Math.min(Math.floor(ms), 2 ** 48 - 1));
  for (let i = 0; i < 10; i++) {
    time = ALPHABET.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  return time;
}
