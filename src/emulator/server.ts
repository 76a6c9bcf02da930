/**
 * The emulator: in-process first (`createEmulator()` gives you the state and a Fastify app you can
 * `listen()` on an ephemeral loopback port), a server second (`cioc emulator`). One port serves the
 * three hosts' path spaces: Track at `/api/…`, App at `/v1/…`, Beta at `/v1/api/…`.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAuthorized, routeFamily } from './auth.js';
import { FaultList } from './faults.js';
import { appError, EmulatorHttpError, trackError } from './model/errors.js';
import { EmulatorState, type Delivery, type WorkspaceConfig } from './model/workspace.js';
import { ArrivalLimiter, type EmulatorRateLimits } from './rate-limit.js';
import { registerAppRoutes } from './routes/app.js';
import { registerControlRoutes, type RequestRecord } from './routes/control.js';
import { fixtureKey, registerSpecRoutes, type Fixtures } from './routes/spec.js';
import { registerTrackRoutes } from './routes/track-v1.js';
import { registerTrackV2Routes } from './routes/track-v2.js';
import { newEvent, WebhookSender, type WebhookEvent } from './webhook-sender.js';

export interface EmulatorOptions {
  workspace?: Partial<WorkspaceConfig>;
  /** Keep at most this many entries in the request log (default 10 000). */
  requestLogSize?: number;
  /** Enforce rate limits (requests per second per family) with 429 + Retry-After, as Customer.io does. */
  rateLimits?: EmulatorRateLimits;
  /** Outbound reporting webhooks: first retry delay (default 1000 ms, doubling) and attempts (default 8). */
  webhookRetryBaseMs?: number;
  webhookMaxAttempts?: number;
  /** Answers for catalogue routes by operation id, e.g. `{ "app.list_campaigns": { "campaigns": [...] } }`. */
  fixtures?: Readonly<Record<string, unknown>>;
}

export interface Emulator {
  readonly state: EmulatorState;
  readonly faults: FaultList;
  readonly requests: RequestRecord[];
  readonly rateLimiter: ArrivalLimiter;
  /** Outbound reporting webhooks and their delivery log. */
  readonly webhookSender: WebhookSender;
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
  const rateLimiter = new ArrivalLimiter(options.rateLimits);
  const sender = new WebhookSender(
    {
      signingKey: state.workspace.webhookSigningKey,
      ...(options.webhookRetryBaseMs === undefined ? {} : { retryBaseMs: options.webhookRetryBaseMs }),
      ...(options.webhookMaxAttempts === undefined ? {} : { maxAttempts: options.webhookMaxAttempts }),
    },
    () =>
      [...state.webhooks.values()].map((w) => ({
        id: Number(w['id']),
        endpoint: String(w['endpoint']),
        events: Array.isArray(w['events']) ? (w['events'] as string[]) : [],
        disabled: w['disabled'] === true,
      })),
  );
  state.onDelivery = (delivery) => {
    sender.emit(deliveryEvent(delivery, state));
  };
  const fixtures: Fixtures = new Map(
    Object.entries(options.fixtures ?? {}).map(([id, body]) => [fixtureKey(id), body]),
  );
  // Each request is logged when it arrives; its status is filled in when it is answered
  // (0 when no answer was sent: a dropped connection, or a client that gave up first).
  const records = new WeakMap<object, RequestRecord>();
  /** Answers by status since the last reset: unlike the log, never truncated. */
  const statusCounts = new Map<number, number>();
  const log = (record: RequestRecord): void => {
    requests.push(record);
    if (requests.length > logSize) requests.splice(0, requests.length - logSize);
  };
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
    const replay = isReplay(request);
    if (!replay) {
      const record: RequestRecord = { method: request.method, path, status: 0, at: Date.now() };
      records.set(request, record);
      log(record);
    }
    if (!isAuthorized(family, request.headers.authorization, state.workspace, request.headers.host)) {
      // 401 bodies are not documented (UNCONFIRMED); these follow each API's error shape.
      const body =
        family === 'track'
          ? { meta: { error: 'Unauthorized request' } }
          : { errors: [{ detail: 'Unauthorized request', status: '401' }] };
      return reply.code(401).send(body);
    }
    if ((family === 'track' || family === 'app') && !replay) {
      const retryAfter = rateLimiter.admit(family, Date.now());
      if (retryAfter !== undefined) {
        const limit = rateLimiter.limits[family] ?? 0;
        return reply
          .code(429)
          .header('retry-after', String(retryAfter))
          .send({ meta: { error: `Your request is over the ${String(limit)}-per-second limit.` } });
      }
    }
  });

  app.addHook('preHandler', async (request, reply) => {
    const path = pathOf(request);
    if (routeFamily(request.method, path) === 'control' || isReplay(request)) return;
    const fault = faults.take(request.method, path);
    if (fault === undefined) return;
    if (fault.delay_ms !== undefined) await sleep(fault.delay_ms);
    if (fault.drop === 'after_processing') {
      // Handle the request for real (the change is made), then lose the answer.
      const headers: Record<string, string | string[] | undefined> = {
        ...request.headers,
        [REPLAY_HEADER]: '1',
      };
      delete headers['content-length'];
      await app.inject({
        method: request.method as 'POST',
        url: request.raw.url ?? request.url,
        headers,
        ...(request.body === undefined
          ? {}
          : { payload: replayPayload(request.body, request.headers['content-type']) }),
      });
    }
    if (fault.drop !== undefined && fault.drop !== false) {
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
    const record = records.get(request);
    if (record !== undefined && reply.raw.writableFinished) {
      record.status = reply.statusCode;
      statusCounts.set(reply.statusCode, (statusCounts.get(reply.statusCode) ?? 0) + 1);
    }
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
  registerTrackV2Routes(app, state);
  registerAppRoutes(app, state, '/v1');
  registerAppRoutes(app, state, '/v1/api');
  registerControlRoutes(app, state, faults, requests, rateLimiter, statusCounts, fixtures, sender);
  // Last: every other spec route, answered from the registry's schemas.
  registerSpecRoutes(app, fixtures);

  let origin = '';
  return {
    state,
    faults,
    requests,
    rateLimiter,
    webhookSender: sender,
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
      sender.close();
      await app.close();
    },
  };
}

/** Marks the emulator's own replay of a request (fault `drop: "after_processing"`). */
const REPLAY_HEADER = 'x-cioc-emulator-replay';

function replayPayload(body: unknown, contentType: string | undefined): string {
  if (typeof body === 'string') return body;
  if (contentType?.includes('x-www-form-urlencoded') === true)
    return new URLSearchParams(body as Record<string, string>).toString();
  return JSON.stringify(body);
}

function isReplay(request: FastifyRequest): boolean {
  return request.headers[REPLAY_HEADER] === '1';
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

const OBJECT_TYPE: Record<Delivery['kind'], string> = {
  email: 'email',
  push: 'push',
  sms: 'sms',
  inbox_message: 'in_app',
  in_app: 'in_app',
};

/** The reporting-webhook `<channel>_sent` event of a transactional delivery. */
function deliveryEvent(delivery: Delivery, state: EmulatorState): WebhookEvent {
  const [kind, value] = Object.entries(delivery.identifiers)[0] ?? [];
  const person =
    kind === undefined || value === undefined
      ? undefined
      : state.find(kind as 'id' | 'email' | 'cio_id', value);
  const identifiers = {
    id: person?.id ?? delivery.identifiers['id'] ?? null,
    email: person?.email ?? delivery.identifiers['email'] ?? null,
    cio_id: person?.cio_id ?? delivery.identifiers['cio_id'] ?? '',
  };
  return newEvent(
    OBJECT_TYPE[delivery.kind],
    'sent',
    {
      delivery_id: delivery.delivery_id,
      identifiers,
      customer_id: identifiers.id,
      recipient: delivery.to ?? '',
      subject: delivery.subject ?? '',
      transactional_message_id: delivery.transactional_message_id,
    },
    delivery.queued_at,
  );
}
