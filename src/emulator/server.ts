/**
 * The emulator: in-process first (`createEmulator()` gives you the state and a Fastify app you can
 * `listen()` on an ephemeral loopback port), a server second (`cioc emulator`). One port serves the
 * three hosts' path spaces: Track at `/api/…`, App at `/v1/…`, Beta at `/v1/api/…`.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAuthorized, routeFamily, type RouteFamily } from './auth.js';
import { MAX_JSON_DEPTH, rememberScan, scanJson } from './json-scan.js';
import { routedPath, targetAuthority } from './request-target.js';
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
  /**
   * How long a client may take to send a request's headers (default 10 000 ms) and the whole
   * request (default 30 000 ms) before the connection is answered 408 and closed.
   */
  timeouts?: { headersMs?: number; requestMs?: number };
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
const DEFAULT_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000 } as const;

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
  const headersMs = options.timeouts?.headersMs ?? DEFAULT_TIMEOUTS.headersMs;
  const requestMs = Math.max(options.timeouts?.requestMs ?? DEFAULT_TIMEOUTS.requestMs, headersMs);
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    forceCloseConnections: true,
    // A client dribbling its headers or body is cut off instead of holding a connection open.
    requestTimeout: requestMs,
    http: {
      headersTimeout: headersMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersMs / 4))),
    },
  });
  /** Marks the emulator's own replays (never sent by a client: it never leaves this process). */
  const replayToken = randomUUID();
  const isReplay = (request: FastifyRequest): boolean => request.headers[REPLAY_HEADER] === replayToken;
  /** Where each request was routed, worked out once when it arrives. */
  const targets = new WeakMap<FastifyRequest, { path: string; family: RouteFamily }>();
  const targetOf = (request: FastifyRequest): { path: string; family: RouteFamily } => {
    let target = targets.get(request);
    if (target === undefined) {
      const { path } = routedPath(
        request.is404 ? undefined : request.routeOptions.url,
        request.params,
        request.raw.url ?? request.url,
      );
      target = { path, family: routeFamily(request.method, path) };
      targets.set(request, target);
    }
    return target;
  };
  // Every route belongs to a family, so none escapes its family's authentication by accident.
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (routeFamily(method, route.url) === 'unknown')
        throw new Error(`emulator route ${method} ${route.url} belongs to no API family`);
    }
  });

  app.removeAllContentTypeParsers();
  // Read as bytes: one scan of them caps the nesting and measures each v2 batch item as it arrived.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    const bytes = body as Buffer;
    const text = bytes.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    const scan = scanJson(bytes, MAX_JSON_DEPTH);
    if (scan.tooDeep) {
      done(
        new EmulatorHttpError(400, {
          parse_error: `the request body is nested deeper than ${String(MAX_JSON_DEPTH)} levels`,
        }),
        undefined,
      );
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      done(new EmulatorHttpError(400, { parse_error: 'the request body is not valid JSON' }), undefined);
      return;
    }
    rememberScan(parsed, { total: scan.compactBytes, batchItemBytes: scan.batchItemBytes });
    done(null, parsed);
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
    const { path, family } = targetOf(request);
    if (family === 'control') return;
    const replay = isReplay(request);
    if (!replay) {
      const record: RequestRecord = { method: request.method, path, status: 0, at: Date.now() };
      records.set(request, record);
      log(record);
    }
    // An absolute-form target's authority is the host the request is for (RFC 9112 §3.2.2).
    const host = targetAuthority(request.raw.url ?? '') ?? request.headers.host;
    if (!isAuthorized(family, request.headers.authorization, state.workspace, host)) {
      // 401 bodies are not documented (UNCONFIRMED); these follow each API's error shape.
      const body =
        family === 'track' || family === 'unknown'
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
    const { path, family } = targetOf(request);
    if (family === 'control' || isReplay(request)) return;
    const fault = faults.take(request.method, path);
    if (fault === undefined) return;
    if (fault.delay_ms !== undefined) await sleep(fault.delay_ms);
    if (fault.drop === 'after_processing') {
      // Handle the request for real (the change is made), then lose the answer.
      const headers: Record<string, string | string[] | undefined> = {
        ...request.headers,
        [REPLAY_HEADER]: replayToken,
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
    const { family } = targetOf(request);
    if (error instanceof EmulatorHttpError) {
      const parseError = parseErrorOf(error);
      if (parseError !== undefined) return reply.code(400).send(familyError(family, 400, parseError));
      return reply.code(error.status).send(error.body);
    }
    const status = statusOf(error);
    const message = error instanceof Error ? error.message : 'internal error';
    return reply
      .code(status)
      .send(familyError(family, status, status >= 500 ? 'internal emulator error' : message));
  });

  app.setNotFoundHandler((request, reply) => {
    const { path, family } = targetOf(request);
    return reply.code(404).send(familyError(family, 404, `no route ${request.method} ${path}`));
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

/**
 * Marks the emulator's own replay of a request (fault `drop: "after_processing"`). Its value is a
 * token made per emulator that never leaves the process, so a client sending the header gets the
 * normal treatment: faults, limits and the request log.
 */
const REPLAY_HEADER = 'x-cioc-emulator-replay';

function replayPayload(body: unknown, contentType: string | undefined): string {
  if (typeof body === 'string') return body;
  if (contentType?.includes('x-www-form-urlencoded') === true)
    return new URLSearchParams(body as Record<string, string>).toString();
  return JSON.stringify(body);
}

/** The message of a body the content-type parser refused (answered in the route family's shape). */
function parseErrorOf(error: EmulatorHttpError): string | undefined {
  const body = error.body as { parse_error?: unknown } | null;
  return typeof body?.parse_error === 'string' ? body.parse_error : undefined;
}

function statusOf(error: unknown): number {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

/** Errors in the family's shape; paths outside App's `/v1` and the control API are Track's host. */
function familyError(family: RouteFamily, status: number, message: string): unknown {
  if (family === 'app') return appError(status, message).body;
  if (family === 'control') return { error: { message } };
  return trackError(status, message).body;
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
  whatsapp: 'whatsapp', // UNCONFIRMED: the reporting-webhook object type of WhatsApp messages.
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
