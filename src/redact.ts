/**
 * Secret redaction, applied where errors, logs and printed requests are built. A `Redactor` knows
 * the secrets of one client (API keys and the Basic/Bearer header values made from them) and
 * replaces every occurrence, in plain or URL-encoded form, with `[REDACTED]`.
 */

export const REDACTED = '[REDACTED]';

/**
 * Secrets at least this long are replaced wherever they occur, even inside a longer word. Shorter
 * ones (only test and emulator keys are that short) would mangle ordinary text that way, so they
 * are replaced only where they stand alone: a whole JSON string or object key, a whole header
 * value, or a whole token in free text (not touching a letter, digit, `-` or `_`). An identical
 * standalone word is redacted too; that errs on the safe side.
 */
const MIN_SUBSTRING_SECRET_LENGTH = 4;

/** Deeper response bodies are cut here rather than recursing without end. */
const MAX_REDACT_DEPTH = 100;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  /** `#private`: printing a redactor (or anything holding one) never shows what it hides. */
  readonly #secrets: string[];
  /** Short secrets, as standalone tokens; undefined when there are none. */
  readonly #shortTokens: RegExp | undefined;

  constructor(secrets: Iterable<string | undefined>) {
    const long = new Set<string>();
    const short = new Set<string>();
    for (const secret of secrets) {
      if (secret === undefined || secret === '') continue;
      const target = secret.length < MIN_SUBSTRING_SECRET_LENGTH ? short : long;
      target.add(secret);
      target.add(encodeURIComponent(secret));
      target.add(Buffer.from(secret, 'utf8').toString('base64'));
    }
    // Longest first, so that a secret containing another is replaced whole.
    this.#secrets = [...long].sort((a, b) => b.length - a.length);
    const tokens = [...short].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.#shortTokens =
      tokens.length === 0
        ? undefined
        : new RegExp(`(?<![A-Za-z0-9_-])(?:${tokens.join('|')})(?![A-Za-z0-9_-])`, 'g');
  }

  /** Adds the Basic credential forms for a site id and key pair. */
  static forCredentials(siteId: string | undefined, apiKey: string | undefined): Redactor {
    const basic =
      siteId !== undefined && apiKey !== undefined
        ? Buffer.from(`${siteId}:${apiKey}`, 'utf8').toString('base64')
        : undefined;
    return new Redactor([apiKey, basic]);
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.#secrets) out = out.split(secret).join(REDACTED);
    if (this.#shortTokens !== undefined) out = out.replace(this.#shortTokens, REDACTED);
    return out;
  }

  /** Deep-redacts strings and object keys inside a JSON-like value (response bodies shown in errors). */
  value(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value !== 'object' || value === null) return value;
    if (depth >= MAX_REDACT_DEPTH) return `[nested more than ${MAX_REDACT_DEPTH} levels: not shown]`;
    if (Array.isArray(value)) return value.map((v: unknown) => this.value(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // defineProperty: a key such as "__proto__" stays an ordinary key.
      Object.defineProperty(out, this.text(k), {
        value: this.value(v, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
}

/** Headers as printed: the Authorization value keeps only its scheme. */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
  redactor: Redactor,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const shown =
      name.toLowerCase() === 'authorization'
        ? `${value.split(' ', 1)[0] ?? ''} ${REDACTED}`
        : redactor.text(value);
    // defineProperty: a header called `__proto__` stays an ordinary entry.
    Object.defineProperty(out, name, { value: shown, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
