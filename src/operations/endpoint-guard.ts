/**
 * Keeps a raw endpoint suffix under its connector's base URL. The credentials of a connector must
 * never reach any other host, and a suffix must never climb out of the base path.
 */
import type { ValidationIssue } from '../errors.js';

/** Characters kept as they are in a path (RFC 3986 pchar plus "/"); everything else is encoded. */
const PATH_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;

export interface SplitEndpoint {
  /** The path, normalised to percent-encoded form. */
  readonly path: string;
  /** Query parameters written inline after "?". */
  readonly query: readonly (readonly [string, string])[];
}

/**
 * Checks an endpoint suffix such as `/campaigns/8/triggers/1`. Returns the problems, or the path
 * with every unsafe character percent-encoded and its inline query split off.
 */
export function checkEndpoint(endpoint: string): { issues: ValidationIssue[] } | SplitEndpoint {
  const problem = endpointProblem(endpoint);
  if (problem !== undefined) return { issues: [{ path: '/endpoint', message: problem }] };
  const queryAt = endpoint.indexOf('?');
  const rawPath = queryAt === -1 ? endpoint : endpoint.slice(0, queryAt);
  const rawQuery = queryAt === -1 ? '' : endpoint.slice(queryAt + 1);
  const query: [string, string][] = [];
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    query.push([decodeQueryPart(key), decodeQueryPart(value)]);
  }
  return { path: encodePath(rawPath), query };
}

function endpointProblem(endpoint: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(endpoint)) return 'must not contain control characters (CR, LF, NUL…)';
  if (/\p{Cs}/u.test(endpoint)) return 'must be well-formed Unicode (it has a lone surrogate)';
  if (/%(?:[01][0-9a-f]|7f)/i.test(endpoint))
    return 'must not contain encoded control characters such as NUL, CR or LF (%00, %0D, %0A)';
  if (!endpoint.startsWith('/')) {
    return /^[a-z][a-z0-9+.-]*:/i.test(endpoint)
      ? 'must be a path suffix such as "/customers/42", not an absolute URL'
      : 'must start with "/" (e.g. "/customers/42")';
  }
  if (endpoint.startsWith('//')) return 'must not start with "//" (that names another host)';
  if (endpoint.includes('\\')) return 'must not contain a backslash';
  if (endpoint.includes('#')) return 'must not contain a fragment ("#")';
  const queryAt = endpoint.indexOf('?');
  const path = queryAt === -1 ? endpoint : endpoint.slice(0, queryAt);
  if (/%(?![0-9a-f]{2})/i.test(endpoint)) return 'contains a "%" that is not a valid percent-encoding';
  for (const segment of path.split('/')) {
    if (isDotSegment(segment)) {
      return 'must not contain "." or ".." segments (also percent-encoded as %2e, or followed by ";…" or spaces)';
    }
    if (/%2f|%5c/i.test(segment)) return 'must not contain an encoded "/" or "\\" (%2F, %5C)';
  }
  return undefined;
}

/**
 * A segment some server on the way could take for "." or "..": percent-encoded (`%2e`), with path
 * parameters (`..;jsessionid=x`, Tomcat and Jetty strip them) or trailing spaces (`..%20`, some
 * servers trim them). Encoded NUL and other control characters are refused before this.
 */
function isDotSegment(segment: string): boolean {
  const decoded = segment.replace(/%([0-7][0-9a-f])/gi, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
  const bare = decoded.split(';', 1)[0]?.replace(/[\s]+$/, '') ?? '';
  return bare === '.' || bare === '..';
}

function encodePath(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path.charAt(i);
    if (ch === '%' && /^%[0-9a-fA-F]{2}/.test(path.slice(i, i + 3))) {
      out += path.slice(i, i + 3).toUpperCase();
      i += 2;
    } else if (PATH_SAFE.test(ch)) {
      out += ch;
    } else {
      const code = path.codePointAt(i) ?? 0;
      const char = String.fromCodePoint(code);
      out += encodeURIComponent(char);
      i += char.length - 1;
    }
  }
  return out;
}

function decodeQueryPart(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return part;
  }
}
