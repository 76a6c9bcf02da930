/**
 * What an operation is. An operation is a plain value, defined once in the registry; the library,
 * CLI, docs, emulator checks and contract tests are all derived from it.
 */
import type { Static, TSchema } from '../json-schema.js';
import type { ValidationIssue } from '../errors.js';
import type { Redactor } from '../redact.js';
import type { ConnectorId } from '../regions.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Client-side rate-limit buckets (customerio-api.md §3.1, §2.5). */
export type RateBucket = 'track' | 'app' | 'app_broadcast_trigger' | 'app_transactional';

export interface Safety {
  /** Sending the same request twice has the same effect as once: safe to retry. */
  readonly idempotent: boolean;
  /** Deletes or irreversibly changes data. */
  readonly destructive: boolean;
  readonly rateBucket: RateBucket;
}

export type QueryScalar = string | number | boolean;
export type QueryValue = QueryScalar | readonly QueryScalar[];

export type WireBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'raw'; readonly value: string; readonly contentType: string }
  /** Bytes already encoded (the batch builder's request body): sent as they are, never copied. */
  | { readonly kind: 'bytes'; readonly value: Uint8Array; readonly contentType: string }
  | { readonly kind: 'form'; readonly value: Readonly<Record<string, string>> };

/** The HTTP request an operation asks for, before the transport adds base URL and auth. */
export interface WireRequest {
  readonly method: HttpMethod;
  /** Path under the connector's base URL: starts with "/", already percent-encoded. */
  readonly path: string;
  readonly query: Readonly<Record<string, QueryValue>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: WireBody;
  /** The path is relative to the host rather than the base path (Track's `/unsubscribe/…`). */
  readonly fromOrigin?: boolean;
  /** Send no credentials (the spec declares no security for this endpoint). */
  readonly noAuth?: boolean;
}

export interface WireResponse {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON when the body is JSON, the text otherwise, `undefined` when empty. */
  readonly body: unknown;
}

export interface EncodeContext {
  /** A new ULID. Called once per logical call: the result is reused on every retry. */
  newId(): string;
}

export interface OperationExample<I> {
  readonly summary: string;
  readonly input: I;
}

export interface OperationDef<
  Id extends string = string,
  C extends ConnectorId = ConnectorId,
  I extends TSchema = TSchema,
  O extends TSchema = TSchema,
> {
  readonly id: Id;
  readonly connector: C;
  readonly title: string;
  readonly description: string;
  /** For documentation; the raw HTTP operation takes its method from the input. */
  readonly method: HttpMethod | 'ANY';
  /** Path template under the connector's base URL; `{name}` placeholders are input fields. */
  readonly path: string;
  readonly input: I;
  readonly output: O;
  readonly safety: Safety;
  readonly examples: readonly OperationExample<Static<I>>[];
  /**
   * Whether this particular call may be resent (overrides `safety.idempotent` per input: a raw
   * GET may be resent, a raw POST not; a v2 batch that merges may not).
   */
  readonly isIdempotent?: (input: Static<I>) => boolean;
  /** Checks JSON Schema cannot express (UTF-8 byte limits, cross-field rules). */
  readonly refine?: (input: Static<I>) => ValidationIssue[];
  /** Builds the wire request from valid input. */
  readonly encode: (input: Static<I>, ctx: EncodeContext) => WireRequest;
  /**
   * Turns a 2xx response into the operation's output. `redactor` knows the client's secrets: an
   * output that repeats what the server sent verbatim (the raw request's headers and body) passes
   * it through, so an answer echoing the key never prints it.
   */
  readonly decode: (response: WireResponse, request: WireRequest, redactor: Redactor) => Static<O>;
}

export type AnyOperation = OperationDef;
export type InputOf<O extends { input: TSchema }> = Static<O['input']>;
export type OutputOf<O extends { output: TSchema }> = Static<O['output']>;

/** `track.create_or_update_customer` → `create_or_update_customer`. */
export function operationName(id: string): string {
  const dot = id.indexOf('.');
  return dot === -1 ? id : id.slice(dot + 1);
}
