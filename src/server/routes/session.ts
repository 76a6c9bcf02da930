/**
 * The console's sign-in: first setup (the first account is the organisation's admin), sign-in
 * with a session cookie, the current session, sign-out. No login needed for these; the cookie and
 * its CSRF rules are in `session-auth.ts`.
 */
import { Type, type Static } from '../../json-schema.js';
import type { UserInfo } from '../../store/accounts-store.js';
import { HttpError } from '../http-error.js';
import { route, type RouteContext, type RouteDef } from '../route.js';
import {
  checkCsrf,
  clearSessionCookie,
  currentSession,
  refuseCrossSite,
  setSessionCookie,
} from '../session-auth.js';
import { DisplayName, Email, NewPassword, UserView, userView } from './user-view.js';

const SignedIn = Type.Object(
  {
    user: UserView,
    csrfToken: Type.String({
      description: 'Send it as X-CSRF-Token on every POST, PUT, PATCH and DELETE made with the cookie.',
    }),
  },
  { title: 'SignedIn' },
);
const SetupBody = Type.Object(
  { email: Email, password: NewPassword, name: Type.Optional(DisplayName) },
  { additionalProperties: false },
);
const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

async function signIn(ctx: RouteContext, user: UserInfo): Promise<Static<typeof SignedIn>> {
  const session = await ctx.services.sessions.create(user.id);
  setSessionCookie(ctx.reply, session.value);
  return { user: userView(user), csrfToken: ctx.services.sessions.csrfToken(session.id) };
}

const WRONG = 'Wrong email or password';

export const sessionRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/api/setup',
    summary: 'Whether the console needs its first account (no login)',
    tags: ['console'],
    auth: false,
    schema: { response: { 200: Type.Object({ required: Type.Boolean() }) } },
    async handler(ctx) {
      return { required: await ctx.services.accounts.setupRequired() };
    },
  }),
  route({
    method: 'POST',
    url: '/api/setup',
    summary: "Create the console's first account, an admin, and sign it in (no login; once only: 409 after)",
    tags: ['console'],
    auth: false,
    schema: { body: SetupBody, response: { 201: SignedIn } },
    async handler(ctx) {
      refuseCrossSite(ctx.request);
      const body = ctx.request.body as Static<typeof SetupBody>;
      const user = await ctx.services.accounts.createFirstAdmin(body);
      if (user === undefined)
        throw new HttpError(
          409,
          'conflict',
          'Setup is already done: sign in, or ask an admin for an account',
        );
      void ctx.reply.code(201);
      return signIn(ctx, user);
    },
  }),
  route({
    method: 'POST',
    url: '/api/session',
    summary:
      'Sign in with an email and a password: sets the session cookie (429 + Retry-After when rate limited)',
    tags: ['console'],
    auth: false,
    schema: { body: LoginBody, response: { 200: SignedIn } },
    async handler(ctx) {
      refuseCrossSite(ctx.request);
      const { email, password } = ctx.request.body as Static<typeof LoginBody>;
      const wait = await ctx.services.loginLimiter.attempt(ctx.request.ip, email);
      if (wait !== undefined) {
        void ctx.reply.header('retry-after', String(wait));
        throw new HttpError(
          429,
          'rate_limited',
          `Too many sign-in attempts: try again in ${String(Math.ceil(wait / 60))} minute(s)`,
          { retry_after: wait },
        );
      }
      // Unknown email or wrong password: the same answer after the same scrypt work.
      const user = await ctx.services.accounts.verifyPassword(email, password);
      if (user === undefined) throw new HttpError(401, 'unauthorized', WRONG);
      await ctx.services.loginLimiter.succeeded(ctx.request.ip, email);
      return signIn(ctx, user);
    },
  }),
  route({
    method: 'GET',
    url: '/api/session',
    summary: 'The signed-in user of the session cookie and its CSRF token (401 when none)',
    tags: ['console'],
    auth: false,
    schema: { response: { 200: SignedIn } },
    async handler(ctx) {
      const session = await currentSession(ctx.request, ctx.services.sessions, ctx.services.accounts);
      if (session === undefined) throw new HttpError(401, 'unauthorized', 'Not signed in');
      return { user: userView(session.user), csrfToken: ctx.services.sessions.csrfToken(session.id) };
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/session',
    summary: 'Sign out: the session ends on the server and the cookie is cleared (X-CSRF-Token needed)',
    tags: ['console'],
    auth: false,
    schema: {},
    async handler(ctx) {
      refuseCrossSite(ctx.request);
      const session = await currentSession(ctx.request, ctx.services.sessions, ctx.services.accounts);
      if (session !== undefined) {
        checkCsrf(ctx.request, ctx.services.sessions, session.id);
        await ctx.services.sessions.delete(session.id);
      }
      clearSessionCookie(ctx.reply);
      return ctx.reply.code(204).send();
    },
  }),
];
