/**
 * The web console's session cookie: reading and writing it, the session authenticator (tried
 * after the bearer token, so every /api route accepts a session unchanged), and the checks a
 * cookie needs because the browser sends it by itself: on every state-changing request the
 * `X-CSRF-Token` header must carry the session's token, and a cross-site `Origin` (or
 * `Sec-Fetch-Site: cross-site`) is refused whatever the token. Bearer requests carry no ambient
 * credential and are not checked.
 *
 * The cookie is read and written here in a few lines rather than with @fastify/cookie: that
 * plugin's `cookie` dependency (v2) needs Node 22, and we read one cookie whose value we generate
 * (base64url, nothing to decode) and write it with fixed attributes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsStore } from '../store/accounts-store.js';
import { SESSION_ABSOLUTE_MS, type SessionsStore } from '../store/sessions-store.js';
import { HttpError } from './http-error.js';
import type { Authenticator } from './principal.js';

export const SESSION_COOKIE = 'cioc_session';
export const CSRF_HEADER = 'x-csrf-token';
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A cookie's value from a `Cookie` header, as the `cookie` package reads it: pairs split on `;`,
 * the name before the first `=`, whitespace trimmed, surrounding double quotes removed; a header
 * with two pairs of that name has none.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  let found: string | undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    // Two cookies of this name: one may have been planted by another site on the same host
    // (cookies are not separated by port) to sign the browser into someone else's session.
    // Neither is believed.
    if (found !== undefined) return undefined;
    const value = pair.slice(eq + 1).trim();
    found = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return found;
}

/**
 * HttpOnly (no script reads it), SameSite=Lax, Path=/, Secure when the request came over https;
 * kept by the browser until the session's absolute expiry (the server ends it sooner when idle).
 */
export function setSessionCookie(reply: FastifyReply, value: string): void {
  void reply.header(
    'set-cookie',
    cookieText(value, Math.floor(SESSION_ABSOLUTE_MS / 1000), isHttps(reply.request)),
  );
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.header('set-cookie', cookieText('', 0, isHttps(reply.request)));
}

function cookieText(value: string, maxAge: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${String(maxAge)}`,
    ...(maxAge === 0 ? ['Expires=Thu, 01 Jan 1970 00:00:00 GMT'] : []),
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** Whether the request came over https (X-Forwarded-Proto counts only with `trustProxy`). */
export const isHttps = (request: FastifyRequest): boolean => request.protocol === 'https';

/**
 * Whether a browser says the request comes from another site: `Sec-Fetch-Site: cross-site`, or
 * an `Origin` that is not this server's own (`null` included).
 */
export function isCrossSite(request: FastifyRequest): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  return origin.toLowerCase() !== `${request.protocol}://${request.host}`.toLowerCase();
}

/** Refuses a cross-site state-changing request (sign-in and setup too: no login CSRF). */
export function refuseCrossSite(request: FastifyRequest): void {
  if (STATE_CHANGING.has(request.method) && isCrossSite(request))
    throw new HttpError(403, 'forbidden', 'Cross-site requests are refused');
}

/** The CSRF checks a state-changing request made with the session cookie must pass. */
export function checkCsrf(request: FastifyRequest, sessions: SessionsStore, sessionId: string): void {
  if (!STATE_CHANGING.has(request.method)) return;
  refuseCrossSite(request);
  const token = request.headers[CSRF_HEADER];
  if (typeof token !== 'string' || token === '')
    throw new HttpError(403, 'csrf', `Send the session's CSRF token in the X-CSRF-Token header`);
  if (!sessions.isCsrfToken(sessionId, token))
    throw new HttpError(403, 'csrf', 'The X-CSRF-Token header does not match this session');
}

/** The live session of this request's cookie and its user, or undefined. */
export async function currentSession(
  request: FastifyRequest,
  sessions: SessionsStore,
  accounts: AccountsStore,
): Promise<{ id: string; user: NonNullable<Awaited<ReturnType<AccountsStore['getUser']>>> } | undefined> {
  const value = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (value === undefined) return undefined;
  const session = await sessions.lookup(value);
  if (session === undefined) return undefined;
  const user = await accounts.getUser(session.userId);
  // A user who can no longer sign in (removed, password cleared) has no session either.
  if (user?.hasPassword !== true) return undefined;
  return { id: session.id, user };
}

/** `Cookie: cioc_session=…`, with the CSRF checks on state-changing requests. */
export function sessionCookie(sessions: SessionsStore, accounts: AccountsStore): Authenticator {
  return async (request) => {
    const session = await currentSession(request, sessions, accounts);
    if (session === undefined) return undefined;
    checkCsrf(request, sessions, session.id);
    return { user: session.user, via: 'session', sessionId: session.id };
  };
}
