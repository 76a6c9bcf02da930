/**
 * What a request's target names, read the way the router reads it, so that authentication, rate
 * limits, faults and the request log all judge the same path the handler serves. A request is
 * classified by the route it actually reached (`/%761/messages` reached `/v1/messages`), never by
 * the raw text of its target.
 */

/** RFC 9112 §3.2.2 absolute-form: `http://host[:port]/path?query`. */
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/;

/** The authority of an absolute-form target (`http://api-eu.customer.io/v1/…` → its host), if any. */
export function targetAuthority(rawUrl: string): string | undefined {
  const match = ABSOLUTE_FORM.exec(rawUrl);
  return match === null ? undefined : (match[1] ?? '').replace(/^[^@]*@/, '');
}

/**
 * The path of a target with the absolute form's scheme and authority removed, the query cut off,
 * and percent-encoded unreserved characters decoded (RFC 3986 §6.2.2.2: `%76` is `v`). Used for
 * requests that reached no route; routed requests use `routedPath`.
 */
export function targetPath(rawUrl: string): string {
  let path = rawUrl;
  const absolute = ABSOLUTE_FORM.exec(path);
  if (absolute !== null) path = path.slice(absolute[0].length) || '/';
  const end = path.search(/[?#]/);
  if (end !== -1) path = path.slice(0, end);
  return path.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase();
  });
}

/**
 * The concrete path of the route a request reached: its pattern (`/v1/messages/:message_id`) with
 * the router's decoded parameters put back. Falls back to `targetPath` when no route matched.
 */
export function routedPath(
  pattern: string | undefined,
  params: unknown,
  rawUrl: string,
): { path: string; routed: boolean } {
  if (pattern === undefined) return { path: targetPath(rawUrl), routed: false };
  const values = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const path = pattern.replace(/:([A-Za-z0-9_]+)|\*/g, (whole, name: string | undefined) => {
    const value = values[name ?? '*'];
    return typeof value === 'string' ? value : whole;
  });
  return { path, routed: true };
}
