/**
 * Secret redaction, applied where errors, logs and printed requests are built. A `Redactor` knows
 * the secrets of one client (API keys and the Basic/Bearer header values made from them) and
 * replaces every occurrence, in plain or URL-encoded form, with `[REDACTED]`.
 */

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not searched for in free text (they would mangle ordinary words). */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string | undefined>) {
    const set = new Set<string>();
    for (const secret of secrets) {
      if (secret === undefined || secret.length < MIN_SECRET_LENGTH) continue;
      set.add(secret);
      set.add(encodeURIComponent(secret));
      set.add(Buffer.from(secret, 'utf8').toString('base64'));
    }
    // Longest first, so that a secret containing another is replaced whole.
    this.secrets = [...set].sort((a, b) => b.length - a.length);
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
    for (const secret of this.secrets) out = out.split(secret).join(REDACTED);
    return out;
  }

  /** Deep-redacts strings inside a JSON-like value (response bodies shown in errors). */
  value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.value(v);
      return out;
    }
    return value;
  }
}

/** Headers as printed: the Authorization value keeps only its scheme. */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
  redactor: Redactor,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'authorization') {
      const scheme = value.split(' ', 1)[0] ?? '';
      out[name] = `${scheme} ${REDACTED}`;
    } else {
      out[name] = redactor.text(value);
    }
  }
  return out;
}
