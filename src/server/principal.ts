/**
 * Who is calling. Authentication is a list of authenticators tried in order: the bearer API token,
 * then the web console's session cookie (`session-auth.ts`, which for that kind of principal only
 * adds a CSRF check on state-changing requests), without any route changing.
 */
import type { FastifyRequest } from 'fastify';
import type { AccountsStore, UserInfo } from '../store/accounts-store.js';

export interface Principal {
  user: UserInfo;
  /** How the caller proved who they are: `token` (Authorization: Bearer) or `session` (the console's cookie). */
  via: 'token' | 'session';
  /** With `via: 'session'`: the session's id (sha256 of the cookie's value). */
  sessionId?: string;
}

export type Authenticator = (request: FastifyRequest) => Promise<Principal | undefined>;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The body exactly as received (signature checks need the bytes, not re-serialised JSON). */
    rawBody?: string;
  }
}

/** `Authorization: Bearer <API token>`. */
export function bearerToken(accounts: AccountsStore): Authenticator {
  return async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match?.[1] === undefined) return undefined;
    const user = await accounts.authenticateToken(match[1]);
    return user === undefined ? undefined : { user, via: 'token' };
  };
}
