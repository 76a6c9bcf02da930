/**
 * The HTTP field rules every request must satisfy before it is handed to undici: header names are
 * tokens (RFC 9110 §5.1, tchar), values are field-values (§5.5), and the headers undici refuses at
 * dispatch (`Keep-Alive`, `Expect`, `Transfer-Encoding`, `Upgrade`, a bad `Connection` or
 * `Content-Length`) are refused here first. undici 7 refuses these by throwing while it builds
 * the request, and its pool then keeps that connection marked busy for ever (see
 * `transport.ts`): nothing that fails these rules may reach it.
 */
import type { ValidationIssue } from './errors.js';

/** RFC 9110 §5.6.2: token = 1*tchar. */
export const HTTP_TOKEN_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";
const TOKEN = new RegExp(HTTP_TOKEN_PATTERN);

/**
 * A field-value as we send it: visible ASCII, SP and HTAB, not starting or ending with
 * whitespace. undici also lets obs-text (U+0080–U+00FF) through, written as Latin-1 bytes; a
 * server reading UTF-8 would see something else than was meant, so it is refused too.
 */

const NOT_FIELD_CHAR = /[^\t\x20-\x7e]/;

/** Headers undici refuses to send, or that only the transport may set. */
const TRANSPORT_OWNED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
]);

export function isHttpToken(name: string): boolean {
  return TOKEN.test(name);
}

/** Why a header value cannot be sent, or undefined when it can. */
export function headerValueProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const bad = NOT_FIELD_CHAR.exec(value);
  if (bad !== null) {
    const code = bad[0].codePointAt(0) ?? 0;
    const shown = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    return code > 0x7e && code !== 0x7f
      ? `must be ASCII (has ${shown} at ${bad.index}): encode other text first`
      : `must not contain control characters (has ${shown} at ${bad.index}); only visible ASCII, space and tab`;
  }
  if (/^[ \t]|[ \t]$/.test(value)) return 'must not start or end with a space or tab';
  return undefined;
}

/** Why a header name cannot be sent, or undefined when it can. */
export function headerNameProblem(name: string): string | undefined {
  if (!isHttpToken(name)) {
    return "is not a valid header name: use letters, digits and !#$%&'*+-.^_`|~ only";
  }
  if (TRANSPORT_OWNED.has(name.toLowerCase())) return 'cannot be set: the transport controls it';
  return undefined;
}

/**
 * The problems of a set of request headers as the transport is about to send them (the ones it
 * sets itself — content-type, accept, authorization, user-agent — are checked the same way).
 */
export function sendableHeaderIssues(headers: Readonly<Record<string, string>>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const at = `/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const nameProblem = headerNameProblem(name);
    if (nameProblem !== undefined) issues.push({ path: at, message: nameProblem });
    const valueProblem = headerValueProblem(value);
    if (valueProblem !== undefined) issues.push({ path: at, message: valueProblem });
  }
  return issues;
}
