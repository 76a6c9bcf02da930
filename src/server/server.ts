/**
 * `cioc serve`: one Fastify server with the HTTP API over the store in CIOC_HOME, the workflow
 * engine and the triggers. `createServer()` is in-process first (tests, the bench), `listen()` second.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { ClientDefaults } from '../engine/authentications.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { AccountsStore } from '../store/accounts-store.js';
import { openStoreConnection } from '../store/auth-store.js';
import { SessionsStore } from '../store/sessions-store.js';
import { WorkflowAccess } from '../store/workflow-access.js';
import { WorkflowStore } from '../store/workflow-store.js';
import { consoleFiles, DEFAULT_CONSOLE_DIR } from './console-static.js';
import { errorAnswer, HttpError } from './http-error.js';
import { LoginLimiter, type LoginLimits } from './login-limiter.js';
import { bearerToken, type Authenticator } from './principal.js';
import type { RouteDef } from './route.js';
import { routeTable } from './route-table.js';
import { securityHeaders } from './security-headers.js';
import { sessionCookie } from './session-auth.js';
import { authViews, serverResolver, type Services } from './services.js';
import { systemClock, type Clock } from './triggers/clock.js';
import { Scheduler } from './triggers/schedule.js';

export interface ServerOptions {
  /** The store's directory (default CIOC_HOME, then ~/.cioc). */
  home?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Where `emulator`-region authentications point (default CIOC_EMULATOR_URL, then :4010). */
  emulatorUrl?: string | undefined;
  /** Largest request body, in bytes (default 1 MiB). */
  bodyLimit?: number | undefined;
  /** Runs executed at once (default 8). */
  concurrency?: number | undefined;
  retention?: { keepRuns?: number; keepDays?: number } | undefined;
  /** Client settings for every step (retries, a dispatcher…). */
  client?: ClientDefaults | undefined;
  /** Time for triggers (schedule ticks, signature windows); tests pass a ManualClock. */
  clock?: Clock | undefined;
  /**
   * More ways to sign in, tried after the bearer token and the console's session cookie.
   */
  authenticators?: readonly Authenticator[] | undefined;
  /**
   * Behind one reverse proxy: believe its X-Forwarded-For/-Proto/-Host, one hop deep (the client
   * IP for sign-in limits is the address that proxy appended; https for the cookie's Secure flag
   * and HSTS). Default false: only the socket counts.
   */
  trustProxy?: boolean | undefined;
  /**
   * The host names the server answers to (the Host header, without the port); any other is a
   * 421. Guards a server on loopback against DNS rebinding (a web page whose name resolves to
   * 127.0.0.1 posting to it as same-origin). Default: any host (`cioc serve` on a loopback
   * address passes the loopback names plus CIOC_ALLOWED_HOSTS).
   */
  allowedHosts?: readonly string[] | undefined;
  /** Sign-in attempts allowed per email and per IP (default 5 and 50 per 15 minutes). */
  loginLimits?: LoginLimits | undefined;
  /** The built console served at `/` (default `<package>/dist/console`); null serves none. */
  consoleDir?: string | null | undefined;
  /** Warnings (missed schedule ticks, failed trigger starts, unexpected errors); default stderr JSON. */
  warn?: ((message: string, details: Record<string, unknown>) => void) | undefined;
}

export interface Server {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly routes: readonly RouteDef[];
  /** Starts listening; returns the origin, e.g. `http://127.0.0.1:3000`. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  close(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

export async function createServer(options: ServerOptions = {}): Promise<Server> {
  const env = options.env ?? process.env;
  const connection = openStoreConnection({ home: options.home, env });
  const warn =
    options.warn ??
    ((message: string, details: Record<string, unknown>) => {
      process.stderr.write(
        `${JSON.stringify({ level: 'warn', time: new Date().toISOString(), message, ...details })}\n`,
      );
    });
  const clock = options.clock ?? systemClock;
  const emulatorUrl = options.emulatorUrl ?? (env['CIOC_EMULATOR_URL'] || undefined);
  const authFor = authViews(connection);
  const workflows = new WorkflowStore(connection.db);
  const access = new WorkflowAccess(connection.db);
  const accounts = new AccountsStore(connection);
  const sessions = new SessionsStore(connection, () => clock.now());
  let engine: Engine;
  try {
    engine = createEngine({
      store: workflows,
      authentications: serverResolver(authFor),
      concurrency: options.concurrency ?? 8,
      client: { ...options.client, ...(emulatorUrl === undefined ? {} : { emulatorUrl }) },
      ...(options.retention === undefined ? {} : { retention: options.retention }),
    });
  } catch (error) {
    connection.db.close();
    throw error;
  }
  const scheduler = new Scheduler({ access, engine, clock, warn });
  const services: Services = {
    connection,
    accounts,
    workflows,
    access,
    engine,
    scheduler,
    clock,
    emulatorUrl,
    authFor,
    sessions,
    loginLimiter: new LoginLimiter(options.loginLimits),
  };
  const authenticators: Authenticator[] = [
    bearerToken(accounts),
    sessionCookie(sessions, accounts),
    ...(options.authenticators ?? []),
  ];
  const consoleDir = options.consoleDir === undefined ? DEFAULT_CONSOLE_DIR : options.consoleDir;
  const files = consoleDir === null ? undefined : consoleFiles(consoleDir);

  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    forceCloseConnections: true,
    // One proxy hop: the address that proxy saw is the client's. `true` would believe every
    // X-Forwarded-For entry, the left-most of which the client writes itself.
    trustProxy: options.trustProxy === true ? (_address: string, hop: number) => hop < 1 : false,
    // Unknown fields are refused (not silently dropped); query strings are coerced (?wait=true).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  });
  registerBodyParsers(app);
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = errorAnswer(error);
    if (status >= 500 && body.error['type'] === 'internal')
      warn('Unexpected error', {
        method: request.method,
        url: request.url.split('?')[0],
        error: (error as Error).message,
      });
    if (status === 401 && request.url.startsWith('/api/')) void reply.header('www-authenticate', 'Bearer');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler(async (request, reply) => {
    // The console's files and client-side routes are whatever no API route answered.
    if (files !== undefined && (await files.serve(request, reply))) return reply;
    return reply.code(404).send({
      error: {
        type: 'not_found',
        message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}`,
      },
    });
  });
  if (options.allowedHosts !== undefined) {
    const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
    app.addHook('onRequest', async (request, reply) => {
      const host = request.hostname.toLowerCase();
      if (allowed.has(host)) return;
      return reply.code(421).send({
        error: {
          type: 'misdirected',
          message: `This server does not answer to the host name "${host}"`,
          hint: 'Add it to CIOC_ALLOWED_HOSTS (comma-separated) if it is yours.',
        },
      });
    });
  }
  app.addHook('onSend', async (request, reply) => {
    securityHeaders(request, reply);
    if (request.url.startsWith('/api/') || request.url.startsWith('/hooks/'))
      void reply.header('cache-control', 'no-store');
  });

  const routes = routeTable();
  const authenticate = async (request: FastifyRequest): Promise<void> => {
    for (const authenticator of authenticators) {
      const principal = await authenticator(request);
      if (principal !== undefined) {
        request.principal = principal;
        return;
      }
    }
    throw new HttpError(
      401,
      'unauthorized',
      'Sign in, or send Authorization: Bearer <API token> (create one with `cioc token create --user EMAIL`)',
    );
  };
  for (const def of routes) {
    app.route({
      method: def.method,
      url: def.url,
      ...(def.bodyLimit === undefined ? {} : { bodyLimit: def.bodyLimit }),
      schema: {
        ...(def.schema.params === undefined ? {} : { params: def.schema.params }),
        ...(def.schema.querystring === undefined ? {} : { querystring: def.schema.querystring }),
        ...(def.schema.body === undefined ? {} : { body: def.schema.body }),
        ...(def.schema.response === undefined ? {} : { response: def.schema.response }),
      },
      ...(def.auth === false ? {} : { onRequest: authenticate }),
      handler: async (request, reply) =>
        def.handler({
          request,
          reply,
          services,
          principal: request.principal as NonNullable<typeof request.principal>,
        }),
    });
  }

  // Ended sessions are deleted when next presented; this clears the ones nobody comes back with.
  const pruneSessions = (): void => {
    sessions.prune().catch((error: unknown) => {
      warn('Pruning sessions failed', { error: (error as Error).message });
    });
  };
  const pruning = setInterval(pruneSessions, 60 * 60 * 1000);
  pruning.unref();

  try {
    await sessions.prune();
    await scheduler.start();
    // Runs a previous process left unfinished (killed mid-run) are finished now.
    await engine.resumeInterrupted();
  } catch (error) {
    await engine.close();
    connection.db.close();
    throw error;
  }

  let closed = false;
  return {
    app,
    services,
    routes,
    async listen(listenOptions = {}) {
      return app.listen({ port: listenOptions.port ?? 3000, host: listenOptions.host ?? '127.0.0.1' });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(pruning);
      scheduler.stop();
      await app.close();
      await engine.close();
      connection.db.close();
    },
  };
}

function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    request.rawBody = text;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(
        new HttpError(400, 'bad_json', `The request body is not valid JSON: ${(error as Error).message}`),
        undefined,
      );
    }
  });
  // Webhook senders are not all JSON: a form or text body is kept as it came (and signed as such).
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if (!request.url.startsWith('/hooks/')) {
      done(
        new HttpError(415, 'unsupported_media_type', 'Send JSON (Content-Type: application/json)'),
        undefined,
      );
      return;
    }
    const text = body as string;
    request.rawBody = text;
    const type = request.headers['content-type'] ?? '';
    done(
      null,
      type.startsWith('application/x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(text))
        : text,
    );
  });
}
