/**
 * ULIDs (https://github.com/ulid/spec): 48-bit millisecond time + 80 random bits, Crockford
 * base32. Every event of a 200k-event batch needs one, so the two halves are made cheaply:
 * - the 10-character time prefix is encoded once per millisecond and reused;
 * - the 16 random characters come from a pool of OS CSPRNG bytes (one system call per 256 ids),
 *   each byte turned into one Crockford character in place when the pool is refilled. A byte's low
 *   5 bits are uniform (256 is a multiple of 32), so the 16 characters carry 80 uniform random bits.
 * `writeUlid` puts the 26 ASCII bytes straight into a buffer (the batch builder's request body),
 * so a hot path never builds the string at all.
 */
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ALPHABET_BYTES = Buffer.from(ALPHABET, 'latin1');
export const ULID_LENGTH = 26;
const TIME_LENGTH = 10;
const RANDOM_LENGTH = ULID_LENGTH - TIME_LENGTH;

/** Random Crockford characters (ASCII), `RANDOM_LENGTH` per id. */
const POOL = Buffer.alloc(RANDOM_LENGTH * 256);
let offset = POOL.length;

/** The offset in `POOL` of 16 fresh random characters (each used once). */
function takeRandom(): number {
  if (offset + RANDOM_LENGTH > POOL.length) {
    randomFillSync(POOL);
    for (let i = 0; i < POOL.length; i++) POOL[i] = ALPHABET_BYTES[(POOL[i] ?? 0) & 31] ?? 0;
    offset = 0;
  }
  const at = offset;
  offset += RANDOM_LENGTH;
  return at;
}

let cachedMs = -1;
let cachedTime = '';
const cachedTimeBytes = Buffer.alloc(TIME_LENGTH);

function encodeTime(now: number): string {
  let time = '';
  let t = now;
  for (let i = 0; i < TIME_LENGTH; i++) {
    time = ALPHABET.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  return time;
}

/** The time prefix of `now`, encoded once per distinct millisecond. */
function timePrefix(now: number): string {
  if (now !== cachedMs) {
    cachedTime = encodeTime(now);
    cachedTimeBytes.write(cachedTime, 0, 'latin1');
    cachedMs = now;
  }
  return cachedTime;
}

export function ulid(now: number = Date.now()): string {
  const time = timePrefix(now);
  const at = takeRandom();
  return time + POOL.toString('latin1', at, at + RANDOM_LENGTH);
}

/**
 * Writes a new ULID's 26 ASCII bytes into `target` at `position` (which must have room) and
 * returns the position after it. The same ids as `ulid()`, without a string in between.
 */
export function writeUlid(target: Uint8Array, position: number, now: number = Date.now()): number {
  timePrefix(now);
  let p = position;
  for (let i = 0; i < TIME_LENGTH; i++) target[p++] = cachedTimeBytes[i] ?? 0;
  const at = takeRandom();
  for (let i = 0; i < RANDOM_LENGTH; i++) target[p++] = POOL[at + i] ?? 0;
  return p;
}
