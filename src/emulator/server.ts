/**
 * The emulator: in-process first (`createEmulator()` gives you the state and a Fastify app you can
 * `listen()` on an ephemeral loopback port), a server second (`cioc emulator`). One port serves the
 * three hosts' path spaces: Track at `/api/…`, App at `/v1/…`, Beta at `/v1/api/…`.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerAppRoutes } from './app-routes.js';
import { isAuthorized, routeFamily } from './auth.js';
import { registerControlRoutes, type RequestRecord } from './control-routes.js';
import { FaultList } from './faults.js';
import { appError, EmulatorHttpError, trackError } from './http-error.js';
import { EmulatorState, type WorkspaceConfig } from './state.js';
import { registerTrackRoutes } from './track-routes.js';

export interface EmulatorOptions {
  workspace?: Partial<WorkspaceConfig>;
  /** Keep at most this many entries in the request log (default 10 000). */
  requestLogSize?: number;
}

export interface Emulator {
  readonly state: EmulatorState;
  readonly faults: FaultList;
  readonly requests: RequestRecord[];
  readonly app: FastifyInstance;
  /** Starts listening (port 0 = any free port) and returns the origin, e.g. `http://127.0.0.1:4010`. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** The origin once listening. */
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 30 * 1024 * 1024; // Broadcast triggers allow 25 MB (§3.2).

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const state = new EmulatorState(options.workspace);
  const faults = new FaultList();
  const requests: RequestRecord[] = [];
  const logSize = options.requestLogSize ?? 10_000;
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES, forceCloseConnections: true });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new EmulatorHttpError(400, { parse_error: 'the request body is not valid JSON' }), undefined);
    }
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });

  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request);
    const family = routeFamily(request.method, path);
    if (family === 'control') return;
    if (!isAuthorized(family, request.headers.authorization, state.workspace)) {
      // 401 bodies are not documented (UNCONFIRMED); these follow each API's error shape.
      const body =
        family === 'track'
          ? { meta: { error: 'Unauthorized request' } }
          : { errors: [{ detail: 'Unauthorized request', status: '401' }] };
      return reply.code(401).send(body);
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    const path = pathOf(request);
    if (routeFamily(request.method, path) === 'control') return;
    const fault = faults.take(request.method, path);
    if (fault === undefined) return;
    if (fault.delay_ms !== undefined) await sleep(fault.delay_ms);
    if (fault.drop === true) {
      request.raw.socket.destroy();
      return reply.hijack();
    }
    if (fault.status !== undefined) {
      return reply
        .code(fault.status)
        .headers(fault.headers ?? {})
        .send(fault.body ?? defaultFaultBody(fault.status));
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const path = pathOf(request);
    if (routeFamily(request.method, path) === 'control') return;
    requests.push({ method: request.method, path, status: reply.statusCode });
    if (requests.length > logSize) requests.splice(0, requests.length - logSize);
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const family = routeFamily(request.method, pathOf(request));
    if (error instanceof EmulatorHttpError) {
      if (isParseError(error))
        return reply.code(400).send(familyError(family, 400, 'the request body is not valid JSON'));
      return reply.code(error.status).send(error.body);
    }
    const status = statusOf(error);
    const message = error instanceof Error ? error.message : 'internal error';
    return reply
      .code(status)
      .send(familyError(family, status, status >= 500 ? 'internal emulator error' : message));
  });

  app.setNotFoundHandler((request, reply) => {
    const family = routeFamily(request.method, pathOf(request));
    return reply.code(404).send(familyError(family, 404, `no route ${request.method} ${pathOf(request)}`));
  });

  registerTrackRoutes(app, state);
  registerAppRoutes(app, state, '/v1');
  registerAppRoutes(app, state, '/v1/api');
  registerControlRoutes(app, state, faults, requests);

  let origin = '';
  return {
    state,
    faults,
    requests,
    app,
    get url() {
      return origin;
    },
    async listen({ port = 0, host = '127.0.0.1' } = {}) {
      await app.listen({ port, host });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('the emulator has no TCP address');
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      origin = `http://${shownHost}:${address.port}`;
      return origin;
    },
    async close() {
      await app.close();
    },
  };
}

function pathOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function isParseError(error: EmulatorHttpError): boolean {
  return typeof error.body === 'object' && error.body !== null && 'parse_error' in error.body;
}

function statusOf(error: unknown): number {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

function familyError(family: string, status: number, message: string): unknown {
  if (family === 'track' || family === 'track-public') return trackError(status, message).body;
  if (family === 'control') return { error: { message } };
  return appError(status, message).body;
}

function defaultFaultBody(status: number): unknown {
  if (status === 429) return { meta: { error: 'Your request is over the rate limit.' } };
  if (status >= 500) return { meta: { error: 'injected server error' } };
  return { meta: { error: `injected ${status}` } };
}
