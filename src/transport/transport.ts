/**
 * The only code that speaks HTTP. It turns a `WireRequest` into bytes on the wire for one
 * connector (base URL + auth), applies the timeout and cancellation, parses the response, and maps
 * failures into the error hierarchy, redacting secrets where the errors are built.
 *
 * Retries and client-side rate limits plug in at `send` (the seam is `Transport.attempt`).
 */
import { createRequire } from 'node:module';
import type * as Undici from 'undici';
import type { Agent, Dispatcher } from 'undici';
import { authorizationHeader, type Credentials } from '../connectors.js';
import {
  AbortedError,
  apiErrorFor,
  CiocError,
  ConfigError,
  ConnectionError,
  TimeoutError,
  ValidationError,
  type ValidationIssue,
} from '../errors.js';
import { sendableHeaderIssues } from '../http-fields.js';

let undiciModule: typeof Undici | undefined;
/**
 * undici, loaded when the first request is sent: a dry run, `--help` or an `import()` of the
 * library never pays for it (~75 ms of start-up, issue #12). It is CommonJS, so `require` loads it
 * synchronously.
 */
const undici = (): typeof Undici =>
  (undiciModule ??= createRequire(import.meta.url)('undici') as typeof Undici);
import type { WireRequest, WireResponse } from '../operations/types.js';
import { Redactor, redactHeaders } from '../redact.js';
import type { ConnectorId } from '../regions.js';
import { buildUrl, parseBaseUrl, type BaseUrl } from './url.js';
import { VERSION } from '../version.js';
import { credentialFingerprint } from '../delivery/rate-limiter.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Timeouts shorter than this get a precise timer; see `Transport.attempt`. */
const PRECISE_TIMEOUT_BELOW_MS = 5_000;
export const DEFAULT_USER_AGENT = `customerio-connectors/${VERSION} (node ${process.version})`;

/**
 * A request ready to send: exact URL, headers and body bytes. Its `authorization` header, when it
 * has one, is a non-enumerable property: readable as `headers.authorization`, but never shown by
 * `console.log`, `util.inspect` or `JSON.stringify` (and not copied by a spread).
 */
export interface PreparedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

/**
 * What goes on the wire: a prepared request, or one whose body is already encoded bytes (the batch
 * builder's), handed to undici as they are (no copy, no re-encoding).
 */
export interface OutgoingRequest extends Omit<PreparedRequest, 'body'> {
  readonly body: string | Uint8Array | undefined;
}

/** What `--dry-run` and logs print: the same request with every secret redacted. */
export interface PrintableRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface LogEntry {
  readonly event: 'response' | 'error';
  readonly method: string;
  /** Redacted. */
  readonly url: string;
  readonly status?: number;
  readonly durationMs: number;
  /** Redacted. */
  readonly error?: string;
}
export type Logger = (entry: LogEntry) => void;

/**
 * One attempt on the wire as a debug panel shows it: the request as sent and the response as
 * received (or the failure), every credential redacted. Given to `SendOptions.onExchange`.
 */
export interface Exchange {
  readonly request: PrintableRequest;
  /** Absent when no response arrived (connection failure, timeout, abort). */
  readonly response?: {
    readonly status: number;
    readonly headers: Record<string, string>;
    readonly body: unknown;
  };
  /** The failure's message (redacted), when there was no response. */
  readonly error?: string;
  readonly durationMs: number;
}
export type ExchangeObserver = (exchange: Exchange) => void;

export interface TransportOptions {
  readonly connector: ConnectorId;
  readonly baseUrl: string;
  readonly credentials: Credentials;
  readonly timeoutMs?: number | undefined;
  /** An undici dispatcher (Agent, Pool, MockAgent…); default: a keep-alive Agent of this transport. */
  readonly dispatcher?: Dispatcher | undefined;
  /** Connections per origin of the default Agent. */
  readonly connections?: number | undefined;
  readonly userAgent?: string | undefined;
  readonly logger?: Logger | undefined;
}

export interface SendOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
  /** Called once per attempt with the redacted request and response (workflow run records). */
  readonly onExchange?: ExchangeObserver | undefined;
}

/** Errors raised before a byte could reach the server (safe to resend anything after these). */
const BEFORE_SEND_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

/**
 * undici's own refusals of a request's arguments (a header, the method, the path): thrown while it
 * builds the request, before anything is written. Nothing was sent, so they are never "may have
 * been delivered" and never retried.
 */
const REFUSED_BEFORE_SEND_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED']);

export class Transport {
  readonly connector: ConnectorId;
  readonly baseUrl: string;
  readonly redactor: Redactor;
  private readonly base: BaseUrl;
  /** `#private`: never shown when the transport, or a client holding it, is printed. */
  readonly #authorization: string;
  /** A one-way fingerprint of the credentials (keys per-credential rate limits; never the secret). */
  readonly credentialFingerprint: string;
  private readonly timeoutMs: number;
  /** Created at the first request (see `undici`), unless the caller gave one. */
  private dispatcher: Dispatcher | undefined;
  private closed = false;
  private readonly ownsDispatcher: boolean;
  private readonly connections: number;
  private readonly userAgent: string;
  private readonly logger: Logger | undefined;

  constructor(options: TransportOptions) {
    this.connector = options.connector;
    this.baseUrl = options.baseUrl;
    this.base = parseBaseUrl(options.baseUrl);
    this.redactor = Redactor.forCredentials(options.credentials.siteId, options.credentials.apiKey);
    // Throws ConfigError naming the missing credential before anything can be sent.
    this.#authorization = authorizationHeader(options.connector, options.credentials);
    this.credentialFingerprint = credentialFingerprint(this.#authorization);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.connections = options.connections ?? 32;
    this.dispatcher = options.dispatcher;
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.logger = options.logger;
  }

  /** Builds the exact request: URL under the base, auth, content type, body text. */
  prepare(wire: WireRequest): PreparedRequest {
    const outgoing = this.outgoing(wire);
    if (!(outgoing.body instanceof Uint8Array)) return outgoing as PreparedRequest;
    // The same headers object (its non-enumerable authorization included), the bytes as text.
    return { ...outgoing, body: utf8Text(outgoing.body) };
  }

  /** Builds the exact request: URL under the base, auth, content type, body text or bytes. */
  outgoing(wire: WireRequest): OutgoingRequest {
    const url = buildUrl(
      wire.fromOrigin === true ? { ...this.base, path: '' } : this.base,
      wire.path,
      wire.query,
    );
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
    };
    // Header names are case-insensitive: two that differ only in case would silently become one.
    const given = new Map<string, string>();
    const duplicates: ValidationIssue[] = [];
    for (const name of Object.keys(wire.headers)) {
      const first = given.get(name.toLowerCase());
      if (first === undefined) given.set(name.toLowerCase(), name);
      else
        duplicates.push({
          path: `/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          message: `is the same header as "${first}" (names differ only in case): give each header once`,
        });
    }
    if (duplicates.length > 0) throw new ValidationError('The request cannot be sent', duplicates);
    // defineProperty, not assignment: a header called `__proto__` stays an ordinary entry (an object
    // without a prototype would do too, but `String(headers)` would then throw).
    for (const [name, value] of Object.entries(wire.headers)) setEntry(headers, name.toLowerCase(), value);
    let body: string | Uint8Array | undefined;
    switch (wire.body.kind) {
      case 'none':
        break;
      case 'json':
        body = JSON.stringify(wire.body.value);
        headers['content-type'] ??= 'application/json';
        break;
      case 'raw':
      case 'bytes':
        body = wire.body.value;
        headers['content-type'] = wire.body.contentType;
        break;
      case 'form':
        body = new URLSearchParams(wire.body.value).toString();
        headers['content-type'] = 'application/x-www-form-urlencoded';
        break;
    }
    // Refused here, before undici ever sees them: see `http-fields.ts` and `refusedBySender`.
    const issues = sendableHeaderIssues(headers);
    if (issues.length > 0) throw new ValidationError('The request cannot be sent', issues);
    if (wire.noAuth !== true) {
      // A getter, so that even `util.inspect(…, { showHidden: true })` shows `[Getter]`, not the value.
      const authorization = this.#authorization;
      Object.defineProperty(headers, 'authorization', { get: () => authorization, enumerable: false });
    }
    return { method: wire.method, url, headers, body };
  }

  private newAgent(): Agent {
    return new (undici().Agent)({ connections: this.connections, keepAliveTimeout: 30_000, pipelining: 1 });
  }

  /**
   * undici refused a request while building it (an argument error). In undici 7 the pool marks
   * the connection it had picked as busy (`kNeedDrain`) when `dispatch` reports the refusal, and
   * nothing ever clears that mark: after as many refusals as the pool has connections, every
   * later request waits in the pool's queue for ever, whatever its timeout or signal. Requests are
   * checked before they get there (`prepare`), but any refusal that still gets through must not
   * wedge the client: an Agent of our own is replaced by a fresh one (the old one finishes what it
   * has in flight, then closes). A dispatcher given by the caller is theirs to manage.
   */
  private recycleAfterRefusal(): void {
    if (!this.ownsDispatcher) return;
    const wedged = this.dispatcher;
    this.dispatcher = this.newAgent();
    wedged?.close().catch(() => undefined);
  }

  /** The request as it may be shown to a person: credentials redacted. */
  printable(prepared: OutgoingRequest): PrintableRequest {
    const text = prepared.body instanceof Uint8Array ? utf8Text(prepared.body) : prepared.body;
    let body: unknown = text;
    if (text !== undefined && prepared.headers['content-type']?.includes('json') === true) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    const headers = redactHeaders(prepared.headers, this.redactor);
    const authorization = prepared.headers['authorization'];
    if (authorization !== undefined) Object.assign(headers, redactHeaders({ authorization }, this.redactor));
    return {
      method: prepared.method,
      url: this.redactor.text(prepared.url),
      headers,
      body: this.redactor.value(body),
    };
  }

  /**
   * One attempt on the wire: returns the 2xx response; any other outcome is thrown as a
   * `CiocError`. Retries and rate limits wrap this in `deliver.ts`.
   */
  async attempt(prepared: OutgoingRequest, options: SendOptions = {}): Promise<WireResponse> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const dispatcherState = this.dispatcher as { closed?: unknown; destroyed?: unknown } | undefined;
    if (this.closed || dispatcherState?.closed === true || dispatcherState?.destroyed === true) {
      // undici would refuse it as "destroyed", which looks like a connection lost mid-request.
      throw new ConfigError(
        `${prepared.method} ${this.redactor.text(prepared.url)} was not sent: the client is closed`,
      );
    }
    const started = performance.now();
    // Redaction happens where a message is built, so the hot path never pays for it.
    const safeUrl = (): string => this.redactor.text(prepared.url);
    // Short timeouts get one precise native timer for the whole attempt. Long ones (the 10 s
    // default) use undici's own coarse timers for the headers and each body chunk instead: they
    // fire within about a second of the deadline and save a per-request AbortController and
    // listener on the hot path (~5% of a loopback round trip).
    const precise = timeoutMs < PRECISE_TIMEOUT_BELOW_MS;
    const controller = precise || options.signal !== undefined ? new AbortController() : undefined;
    let timedOut = false;
    const timer = precise
      ? setTimeout(() => {
          timedOut = true;
          controller?.abort();
        }, timeoutMs)
      : undefined;
    const onAbort = (): void => {
      controller?.abort();
    };
    if (options.signal?.aborted === true) controller?.abort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    let wire: WireResponse;
    try {
      const authorization = prepared.headers['authorization'];
      const response = await undici().request(prepared.url, {
        method: prepared.method,
        // The authorization header is not enumerable (see PreparedRequest): added back here.
        headers: authorization === undefined ? prepared.headers : { ...prepared.headers, authorization },
        body: prepared.body ?? null,
        dispatcher: (this.dispatcher ??= this.newAgent()),
        signal: controller?.signal,
        headersTimeout: precise ? null : timeoutMs,
        bodyTimeout: precise ? null : timeoutMs,
      });
      const text = await response.body.text();
      const headers = flattenHeaders(response.headers);
      wire = { status: response.statusCode, headers, body: parseBody(text, headers) };
    } catch (error) {
      const mapped = this.mapFailure(error, timedOut, options.signal, prepared.method, safeUrl(), timeoutMs);
      options.onExchange?.({
        request: this.printable(prepared),
        error: mapped.message,
        durationMs: performance.now() - started,
      });
      if (this.logger !== undefined) {
        this.logger({
          event: 'error',
          method: prepared.method,
          url: safeUrl(),
          durationMs: performance.now() - started,
          error: mapped.message,
        });
      }
      throw mapped;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (this.logger !== undefined) {
      this.logger({
        event: 'response',
        method: prepared.method,
        url: safeUrl(),
        status: wire.status,
        durationMs: performance.now() - started,
      });
    }
    options.onExchange?.({
      request: this.printable(prepared),
      response: {
        status: wire.status,
        headers: redactHeaders(wire.headers, this.redactor),
        body: this.redactor.value(wire.body),
      },
      durationMs: performance.now() - started,
    });
    if (wire.status >= 200 && wire.status < 300) return wire;
    throw apiErrorFor({
      status: wire.status,
      method: prepared.method,
      url: safeUrl(),
      body: this.redactor.value(wire.body),
      headers: redactHeaders(wire.headers, this.redactor),
    });
  }

  private mapFailure(
    error: unknown,
    timedOut: boolean,
    signal: AbortSignal | undefined,
    method: string,
    url: string,
    timeoutMs: number,
  ): CiocError {
    if (error instanceof CiocError) return error;
    const code = errorCode(error);
    if (code !== undefined && REFUSED_BEFORE_SEND_CODES.has(code)) {
      this.recycleAfterRefusal();
      const detail = this.redactor.text(error instanceof Error ? error.message : String(error));
      return new ValidationError(`${method} ${url} was refused by the HTTP client before sending: ${detail}`);
    }
    if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new TimeoutError(`${method} ${url} got no complete response within ${timeoutMs} ms`, timeoutMs);
    }
    if (signal?.aborted === true) return new AbortedError(`${method} ${url} was aborted by the caller`);
    const detail = this.redactor.text(error instanceof Error ? error.message : String(error));
    const beforeSend = code !== undefined && BEFORE_SEND_CODES.has(code);
    const message = `${method} ${url} failed: ${detail}${code !== undefined && !detail.includes(code) ? ` (${code})` : ''}`;
    return new ConnectionError(message, { cause: code, beforeSend });
  }

  async close(): Promise<void> {
    if (!this.ownsDispatcher) return;
    this.closed = true;
    await this.dispatcher?.close();
  }
}

function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** JSON when it parses as JSON (Customer.io always answers JSON), text otherwise, undefined when empty. */
export function parseBody(text: string, headers: Readonly<Record<string, string>>): unknown {
  if (text.trim() === '') return undefined;
  const type = headers['content-type'] ?? '';
  if (type.includes('json') || /^[[{"]/.test(text.trimStart())) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Sets an own, ordinary entry, even for the name `__proto__`. */
function setEntry(record: Record<string, string>, name: string, value: string): void {
  Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Bytes as UTF-8 text (a view, not a copy, until the string is made). */
function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
