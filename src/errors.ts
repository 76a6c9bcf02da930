/**
 * The one error hierarchy of the connectors. Every failure a user can meet is one of these, with a
 * stable `type`, a CLI exit code and a JSON form. Messages are built from already-redacted parts:
 * nothing here ever sees a raw credential (see `redact.ts`).
 */

export interface ValidationIssue {
  /** JSON pointer into the input (`""` for the whole input). */
  readonly path: string;
  readonly message: string;
}

export interface ErrorJson {
  type: string;
  message: string;
  status?: number;
  issues?: readonly ValidationIssue[];
  body?: unknown;
  hint?: string;
}

/** Exit codes of the CLI, documented in the README. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  authOrConfig: 3,
  api4xx: 4,
  api5xxOrNetwork: 5,
} as const;

export abstract class CiocError extends Error {
  abstract readonly type: string;
  abstract readonly exitCode: number;
  hint?: string;

  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.hint !== undefined) this.hint = options.hint;
  }

  toJSON(): ErrorJson {
    const json: ErrorJson = { type: this.type, message: this.message };
    if (this.hint !== undefined) json.hint = this.hint;
    return json;
  }
}

/** Input does not match the operation's schema (or is otherwise unusable). Nothing was sent. */
export class ValidationError extends CiocError {
  readonly type = 'validation';
  readonly exitCode = EXIT.usage;
  readonly issues: readonly ValidationIssue[];
  /** The message without the list of issues. */
  readonly summary: string;

  constructor(message: string, issues: readonly ValidationIssue[] = []) {
    super(issues.length > 0 ? `${message}: ${issues.map(formatIssue).join('; ')}` : message);
    this.issues = issues;
    this.summary = message;
  }

  override toJSON(): ErrorJson {
    return this.issues.length > 0 ? { ...super.toJSON(), issues: this.issues } : super.toJSON();
  }
}

function formatIssue(issue: ValidationIssue): string {
  return issue.path === '' ? issue.message : `${issue.path} ${issue.message}`;
}

/** Missing or unusable configuration: credentials, region, base URL. Nothing was sent. */
export class ConfigError extends CiocError {
  readonly type = 'config';
  readonly exitCode = EXIT.authOrConfig;
}

/** The request could not be completed at the network level (refused, reset, DNS, TLS). */
export class ConnectionError extends CiocError {
  readonly type = 'connection';
  readonly exitCode = EXIT.api5xxOrNetwork;
  /** True when the failure happened before any byte of the request could reach the server. */
  readonly beforeSend: boolean;

  constructor(message: string, options: { cause?: unknown; beforeSend: boolean }) {
    super(message, { cause: options.cause });
    this.beforeSend = options.beforeSend;
  }
}

/** No complete response within the time allowed. The request may have been processed. */
export class TimeoutError extends CiocError {
  readonly type = 'timeout';
  readonly exitCode = EXIT.api5xxOrNetwork;
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number) {
    super(message);
    this.timeoutMs = timeoutMs;
  }
}

/** The caller aborted the call through its AbortSignal. */
export class AbortedError extends CiocError {
  readonly type = 'aborted';
  readonly exitCode = EXIT.unexpected;
}

/**
 * A send that cannot be deduplicated (transactional message, broadcast trigger, merge, a raw POST)
 * failed after the request may have reached Customer.io. It was not retried: resending could
 * deliver twice.
 */
export class DeliveryUnknownError extends CiocError {
  readonly type = 'delivery_unknown';
  readonly exitCode = EXIT.api5xxOrNetwork;
  /** What happened on the wire (a timeout, a dropped connection, a 5xx). */
  readonly failure: ErrorJson;

  constructor(operationId: string, failure: CiocError, hint: string) {
    super(`${operationId} may have been delivered; not retried (${failure.message})`, {
      cause: failure,
      hint,
    });
    this.failure = failure.toJSON();
  }

  override toJSON(): ErrorJson {
    return {
      ...super.toJSON(),
      ...(this.failure.status === undefined ? {} : { status: this.failure.status }),
    };
  }
}

export interface ApiErrorDetails {
  status: number;
  method: string;
  /** Already redacted URL. */
  url: string;
  body: unknown;
  headers: Readonly<Record<string, string>>;
}

/** Customer.io answered with a non-success status. */
export class ApiError extends CiocError {
  readonly type: string = 'api';
  readonly exitCode: number = EXIT.api4xx;
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, details: ApiErrorDetails) {
    super(message);
    this.status = details.status;
    this.method = details.method;
    this.url = details.url;
    this.body = details.body;
    this.headers = details.headers;
  }

  override toJSON(): ErrorJson {
    const json: ErrorJson = { ...super.toJSON(), status: this.status };
    if (this.body !== undefined && this.body !== '') json.body = this.body;
    return json;
  }
}

export class BadRequestError extends ApiError {
  override readonly type = 'bad_request';
}
export class UnauthorizedError extends ApiError {
  override readonly type = 'unauthorized';
  override readonly exitCode = EXIT.authOrConfig;
}
/** 403: the credential is valid but not allowed to do this (e.g. SMS not enabled). Exit 4, not 3. */
export class ForbiddenError extends ApiError {
  override readonly type = 'forbidden';
}
export class NotFoundError extends ApiError {
  override readonly type = 'not_found';
}
export class ConflictError extends ApiError {
  override readonly type = 'conflict';
}
export class PayloadTooLargeError extends ApiError {
  override readonly type = 'payload_too_large';
}
export class UnprocessableEntityError extends ApiError {
  override readonly type = 'unprocessable_entity';
}
export class RateLimitError extends ApiError {
  override readonly type = 'rate_limited';
  /** Seconds from the `Retry-After` header, when the API sent one. */
  get retryAfterSeconds(): number | undefined {
    const value = this.headers['retry-after'];
    if (value === undefined) return undefined;
    const seconds = Number(value);
    return Number.isFinite(seconds) ? seconds : undefined;
  }
}
export class ServerError extends ApiError {
  override readonly type = 'server_error';
  override readonly exitCode = EXIT.api5xxOrNetwork;
}

const BY_STATUS: Record<number, typeof ApiError> = {
  400: BadRequestError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/** Builds the right `ApiError` subclass for a status, with the API's own words as the message. */
export function apiErrorFor(details: ApiErrorDetails): ApiError {
  const text = apiErrorText(details.body);
  const what = `${details.method} ${details.url} failed with ${details.status}`;
  const message = text === undefined ? `${what}${defaultReason(details.status)}` : `${what}: ${text}`;
  const Ctor = details.status >= 500 ? ServerError : (BY_STATUS[details.status] ?? ApiError);
  const error = new Ctor(message, details);
  if (details.status === 401) {
    error.hint =
      'Check the credentials and the region: a key from the other region (us/eu) is also refused with 401.';
  }
  return error;
}

function defaultReason(status: number): string {
  switch (status) {
    case 401:
      return ': unauthorized (wrong or missing credentials)';
    case 404:
      return ': not found';
    case 429:
      return ': rate limited';
    default:
      return '';
  }
}

/**
 * Extracts the API's own error text from the error shapes Customer.io uses
 * (customerio-api.md §2.6, §3.4): `meta.error`, `meta.errors[]`, `errors[].detail|message`.
 */
export function apiErrorText(body: unknown): string | undefined {
  if (typeof body === 'string') {
    const trimmed = body.trim();
    return trimmed === '' ? undefined : truncate(trimmed);
  }
  if (!isRecord(body)) return undefined;
  const meta = body['meta'];
  if (isRecord(meta)) {
    if (typeof meta['error'] === 'string') return meta['error'];
    const errors = meta['errors'];
    if (Array.isArray(errors) && errors.length > 0) return errors.map((e) => stringify(e)).join('; ');
  }
  const errors = body['errors'];
  if (Array.isArray(errors) && errors.length > 0) {
    return errors
      .map((e) => {
        if (!isRecord(e)) return stringify(e);
        const text = e['detail'] ?? e['message'] ?? e['reason'];
        const field = typeof e['field'] === 'string' && e['field'] !== '' ? ` (${e['field']})` : '';
        const index = typeof e['batch_index'] === 'number' ? `[item ${e['batch_index']}] ` : '';
        return `${index}${typeof text === 'string' ? text : stringify(e)}${field}`;
      })
      .join('; ');
  }
  if (typeof body['error'] === 'string') return body['error'];
  if (typeof body['message'] === 'string') return body['message'];
  return undefined;
}

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function truncate(text: string): string {
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Turns anything thrown into the JSON the CLI prints; unknown errors never leak a stack. */
export function errorToJson(error: unknown): ErrorJson {
  if (error instanceof CiocError) return error.toJSON();
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'unexpected', message };
}

export function exitCodeFor(error: unknown): number {
  return error instanceof CiocError ? error.exitCode : EXIT.unexpected;
}

const EXIT_BY_TYPE: Readonly<Record<string, number>> = {
  validation: EXIT.usage,
  config: EXIT.authOrConfig,
  unauthorized: EXIT.authOrConfig,
  connection: EXIT.api5xxOrNetwork,
  timeout: EXIT.api5xxOrNetwork,
  delivery_unknown: EXIT.api5xxOrNetwork,
  server_error: EXIT.api5xxOrNetwork,
  aborted: EXIT.unexpected,
  unexpected: EXIT.unexpected,
};

/** The exit code of an error known only by its JSON `type` (a failed step of a stored run). */
export function exitCodeForType(type: string): number {
  return EXIT_BY_TYPE[type] ?? EXIT.api4xx;
}
