/**
 * Credentials at rest: AES-256-GCM under a master key, a fresh 96-bit nonce on every write, and
 * the row's id as associated data (a ciphertext copied onto another row does not decrypt).
 *
 * The master key comes from `CIOC_MASTER_KEY` (base64 of 32 bytes) or, when that is unset, from a
 * key file created 0600 in `CIOC_HOME` on first use.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError } from '../errors.js';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The key, held where printing or serialising the object cannot reach it. */
export class MasterKey {
  readonly #key: Buffer;
  /** Where it came from, for error messages (never the key itself). */
  readonly source: string;

  constructor(key: Buffer, source: string) {
    this.#key = key;
    this.source = source;
  }

  get key(): Buffer {
    return this.#key;
  }

  toJSON(): { source: string } {
    return { source: this.source };
  }

  [inspect.custom](): string {
    return `MasterKey { source: ${JSON.stringify(this.source)} }`;
  }
}

export function decodeMasterKey(text: string, source: string): MasterKey {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new ConfigError(
      `The master key in ${source} must be 32 bytes, base64-encoded (e.g. \`openssl rand -base64 32\`).`,
    );
  }
  return new MasterKey(key, source);
}

/** `CIOC_MASTER_KEY`, else `<home>/master.key` (created 0600 with a random key when missing). */
export function loadMasterKey(home: string, env: NodeJS.ProcessEnv): MasterKey {
  const fromEnv = env['CIOC_MASTER_KEY'];
  if (fromEnv !== undefined && fromEnv !== '') return decodeMasterKey(fromEnv, 'CIOC_MASTER_KEY');
  const file = join(home, 'master.key');
  if (!existsSync(file)) createKeyFile(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown error';
    throw new ConfigError(`Cannot read the master key file ${file}: ${code}.`);
  }
  return decodeMasterKey(text, file);
}

/**
 * Writes a fresh key to a private temporary file, then links it into place: the key file appears
 * whole or not at all, so a process opening the store at the same moment never reads it half
 * written. When another process linked its key first, theirs is used.
 */
function createKeyFile(file: string): void {
  const temporary = `${file}.${String(process.pid)}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    linkSync(temporary, file);
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') {
      const code = (error as { code?: string }).code ?? 'unknown error';
      throw new ConfigError(`Cannot create the master key file ${file}: ${code}.`);
    }
  } finally {
    rmSync(temporary, { force: true });
  }
}

export function seal(master: MasterKey, plaintext: string, associated: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', master.key, nonce);
  cipher.setAAD(Buffer.from(associated, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64')}`;
}

/** Throws `ConfigError` when the key is wrong or the data was tampered with: never returns garbage. */
export function open(master: MasterKey, sealed: string, associated: string, what: string): string {
  const [version, payload] = sealed.split(':', 2);
  if (version !== VERSION || payload === undefined)
    throw new ConfigError(`The stored ${what} is in an unknown format.`);
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new ConfigError(`The stored ${what} is damaged.`);
  const decipher = createDecipheriv('aes-256-gcm', master.key, bytes.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(associated, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new ConfigError(
      `Cannot decrypt the stored ${what}: the master key (${master.source}) is not the one it was saved with, or the data was altered.`,
    );
  }
}
