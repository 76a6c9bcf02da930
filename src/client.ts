/**
 * The library API: `createClient({ connector, region, credentials })`, then `client.run(id, input)`
 * or the typed per-operation methods (`client.createOrUpdateCustomer(input)`).
 */
import { inspect } from 'node:util';
import type { Dispatcher } from 'undici';
import { ulid } from './ulid.js';
import { requireCredentials, type Credentials } from './connectors.js';
import { ConfigError, ConnectionError, ValidationError, type ValidationIssue } from './errors.js';
import {
  requireOperation,
  listOperations,
  type OperationById,
  type OperationId,
  type OperationsOf,
  type PageItemOf,
  type PaginatedOperationId,
  type SpecOperationId,
  type SpecOperationTypes,
} from './operations/registry.js';
import type { AnyOperation, InputOf, OutputOf } from './operations/types.js';
import {
  baseUrlFor,
  checkedHttpUrl,
  isConnectorId,
  isRegion,
  type ConnectorId,
  type Region,
} from './regions.js';
import { isSendableJson, jsonInputIssues } from './json-input.js';
import { schemaIssues } from './schema.js';
import {
  DEFAULT_RATE_LIMITS,
  sharedLimiter,
  type RateLimit,
  type RateLimiter,
} from './delivery/rate-limiter.js';
import { DEFAULT_RETRY, type RetryOptions } from './delivery/retry-policy.js';
import { deliver } from './transport/deliver.js';
import type { DeliveryObserver } from './transport/delivery-events.js';
import { paginate, paginationOf, type PageOptions } from './operations/pagination.js';
import type { RateBucket, WireRequest, WireResponse } from './operations/types.js';
import {
  Transport,
  type Logger,
  type OutgoingRequest,
  type PreparedRequest,
  type PrintableRequest,
  type SendOptions,
} from './transport/transport.js';

export interface ClientOptions<C extends ConnectorId = ConnectorId> {
  connector: C;
  /** `us` (default), `eu` or `emulator`. */
  region?: Region | undefined;
  credentials: Credentials;
  /** Overrides the region's base URL (a proxy, an emulator on another port). http(s) only. */
  baseUrl?: string | undefined;
  /** Origin of the emulator for region `emulator` (default http://127.0.0.1:4010; `fromEnv` reads `CIOC_EMULATOR_URL`). */
  emulatorUrl?: string | undefined;
  /** Per-attempt timeout in ms (default 10 000). */
  timeoutMs?: number | undefined;
  /** An undici dispatcher to send through (tests, proxies); default: a keep-alive Agent per client. */
  dispatcher?: Dispatcher | undefined;
  /** Keep-alive connections per origin for the default Agent (default 32). */
  connections?: number | undefined;
  userAgent?: string | undefined;
  /** Receives one redacted entry per response or failure. */
  logger?: Logger | undefined;
  /** Told of each retry (cause, attempt, wait), rate-limit wait and why retrying stopped. */
  onEvent?: DeliveryObserver | undefined;
  /** Retry policy overrides, or `false` for a single attempt. Defaults: `DEFAULT_RETRY`. */
  retry?: Partial<RetryOptions> | false | undefined;
  /**
   * Client-side rate limits per bucket (`false` turns one, or all, off). Defaults:
   * `DEFAULT_RATE_LIMITS`. Limiters are shared per (bucket, credential) across the process.
   */
  rateLimits?: Partial<Record<RateBucket, RateLimit | false>> | false | undefined;
}

export interface CallOptions extends SendOptions {
  /** Overrides the client's retry count for this call. */
  maxRetries?: number | undefined;
  /** Also told of this call's retries, rate-limit waits and give-ups (after the client's `onEvent`). */
  onEvent?: DeliveryObserver | undefined;
}

/** The ids of one connector's operations: `app.get_segment` for an App client, not `track.…`. */
export type OwnOperationId<C extends ConnectorId> = Extract<OperationId, `${C}.${string}`>;
export type OwnSpecOperationId<C extends ConnectorId> = Extract<SpecOperationId, `${C}.${string}`>;
/** `paginate`'s input and options; the input may be left out when none of its fields is required. */
type PaginateArgs<Input> =
  Record<string, never> extends Input
    ? [input?: Input, options?: PageOptions & CallOptions]
    : [input: Input, options?: PageOptions & CallOptions];

/** The ids of one connector's paginated listings: what `paginate` takes. */
export type OwnPaginatedOperationId<C extends ConnectorId> = Extract<PaginatedOperationId, `${C}.${string}`>;

/** `create_or_update_customer` → `createOrUpdateCustomer`. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;
type NameOf<Id extends string> = Id extends `${string}.${infer Name}` ? Name : never;

export type OperationMethods<C extends ConnectorId> = {
  [O in OperationsOf<C> as CamelCase<NameOf<O['id']>>]: (
    input: InputOf<O>,
    options?: CallOptions,
  ) => Promise<OutputOf<O>>;
};

export interface PrepareOptions {
  /**
   * Supplies the ids the operation generates (event ids): a caller that must persist them before
   * sending, or send the same request again after a crash, passes its own source. Default: ULIDs.
   */
  newId?: (() => string) | undefined;
}

export interface PreparedCall {
  readonly operation: AnyOperation;
  readonly request: PreparedRequest;
  /** The same request with credentials redacted, for printing. */
  readonly printable: PrintableRequest;
  /** The encoded request, as the operation built it (what its output is decoded against). */
  readonly wire: WireRequest;
  /** Whether this call may be resent without a second effect (the operation's safety, per input). */
  readonly idempotent: boolean;
}

export class Client<C extends ConnectorId = ConnectorId> {
  readonly connector: C;
  readonly region: Region;
  readonly baseUrl: string;
  /** `#private`: printing a client shows its connector, region and base URL, nothing else. */
  readonly #transport: Transport;
  private readonly retry: Readonly<RetryOptions>;
  private readonly rateLimits: ClientOptions['rateLimits'];
  private readonly onEvent: DeliveryObserver | undefined;

  constructor(options: ClientOptions<C>) {
    if (!isConnectorId(options.connector)) {
      throw new ConfigError(`Unknown connector "${String(options.connector)}": use track, app or beta.`);
    }
    const region = options.region ?? 'us';
    if (!isRegion(region))
      throw new ConfigError(`Unknown region "${String(region)}": use us, eu or emulator.`);
    // Before anything reads them: a missing object is a ConfigError, not a TypeError.
    requireCredentials(options.connector, options.credentials);
    this.connector = options.connector;
    this.region = region;
    this.baseUrl =
      options.baseUrl !== undefined
        ? checkedHttpUrl(options.baseUrl, 'base URL')
        : baseUrlFor(options.connector, region, { emulatorUrl: options.emulatorUrl });
    this.#transport = new Transport({
      connector: options.connector,
      baseUrl: this.baseUrl,
      credentials: options.credentials,
      timeoutMs: options.timeoutMs,
      dispatcher: options.dispatcher,
      connections: options.connections,
      userAgent: options.userAgent,
      logger: options.logger,
    });
    this.retry =
      options.retry === false ? { ...DEFAULT_RETRY, maxRetries: 0 } : { ...DEFAULT_RETRY, ...options.retry };
    this.rateLimits = options.rateLimits;
    this.onEvent = options.onEvent;
  }

  /** Validates the input and builds the exact request, without sending it. */
  prepare<Id extends OperationId>(
    id: Id,
    input: InputOf<OperationById<Id>>,
    options?: PrepareOptions,
  ): PreparedCall;
  prepare(id: string, input: unknown, options?: PrepareOptions): PreparedCall;
  prepare(id: string, input: unknown, options: PrepareOptions = {}): PreparedCall {
    const operation = this.operation(id);
    const wire = encodeValid(operation, input, options.newId);
    const request = this.#transport.prepare(wire);
    const idempotent = operation.isIdempotent?.(input) ?? operation.safety.idempotent;
    return { operation, request, printable: this.#transport.printable(request), wire, idempotent };
  }

  /**
   * Sends a call made by `prepare` (same rate limit, retry policy and send-safety as `run`) and
   * decodes its output. Sending the same prepared call again sends the same bytes (same ids).
   */
  async send(call: PreparedCall, options: CallOptions = {}): Promise<unknown> {
    if (call.operation.connector !== this.connector) this.operation(call.operation.id);
    const response = await this.deliverPrepared(call.operation, call.request, call.idempotent, options);
    return call.operation.decode(response, call.wire, this.#transport.redactor);
  }

  /**
   * Runs an operation of this client's connector: validate, send, decode. Throws a `CiocError` on
   * any failure. The id and the input are checked by the compiler; `runUntyped` takes any.
   */
  async run<Id extends OwnOperationId<C>>(
    id: Id,
    input: InputOf<OperationById<Id>>,
    options?: CallOptions,
  ): Promise<OutputOf<OperationById<Id>>>;
  async run<Id extends OwnSpecOperationId<C>>(
    id: Id,
    input: SpecOperationTypes[Id]['input'],
    options?: CallOptions,
  ): Promise<SpecOperationTypes[Id]['output']>;
  async run(id: string, input: unknown, options: CallOptions = {}): Promise<unknown> {
    return this.runUntyped(id, input, options);
  }

  /**
   * `run` for an id and input known only at run time (a workflow step, a CLI argument): the same
   * checks happen when it runs (unknown id, other connector, invalid input), not at compile time.
   */
  async runUntyped(id: string, input: unknown, options: CallOptions = {}): Promise<unknown> {
    const operation = this.operation(id);
    const wire = encodeValid(operation, input);
    const idempotent = operation.isIdempotent?.(input) ?? operation.safety.idempotent;
    const response = await this.execute(operation, wire, idempotent, options);
    return operation.decode(response, wire, this.#transport.redactor);
  }

  /**
   * Sends an already-encoded request of an operation with its rate limit and retry policy. For
   * code that builds wire requests itself (the batch builder); `run` is the usual way in.
   */
  async execute(
    operation: AnyOperation,
    wire: WireRequest,
    idempotent: boolean,
    options: CallOptions = {},
  ): Promise<WireResponse> {
    return this.deliverPrepared(operation, this.#transport.outgoing(wire), idempotent, options);
  }

  private deliverPrepared(
    operation: AnyOperation,
    request: OutgoingRequest,
    idempotent: boolean,
    options: CallOptions,
  ): Promise<WireResponse> {
    const retry =
      options.maxRetries === undefined ? this.retry : { ...this.retry, maxRetries: options.maxRetries };
    const delivered = deliver(this.#transport, request, {
      operationId: operation.id,
      idempotent,
      retry,
      limiter: this.limiterFor(operation.safety.rateBucket),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      onExchange: options.onExchange,
      onEvent: bothObservers(this.onEvent, options.onEvent),
    });
    if (this.region !== 'emulator') return delivered;
    return delivered.catch((error: unknown) => {
      // The usual cause of a refused connection here: nothing listens at the emulator's address.
      if (error instanceof ConnectionError && error.cause === 'ECONNREFUSED')
        error.hint ??= `Is the emulator running at ${this.baseUrl}? Start it with \`cioc emulator\` (or createEmulator() from customerio-connectors/emulator).`;
      throw error;
    });
  }

  private limiterFor(bucket: RateBucket): RateLimiter | undefined {
    if (this.rateLimits === false) return undefined;
    const configured = this.rateLimits?.[bucket];
    if (configured === false) return undefined;
    return sharedLimiter(
      bucket,
      this.#transport.credentialFingerprint,
      configured ?? DEFAULT_RATE_LIMITS[bucket],
    );
  }

  /**
   * Every item of a paginated listing (`start`/`next` cursors or `limit`/`offset`), fetching page
   * after page as you iterate: `for await (const person of client.paginate('app.search_customers', { filter }))`.
   * Only this connector's paginated listings compile, and the items are typed; `paginateUntyped`
   * takes an id known only at run time.
   */
  paginate<Id extends OwnPaginatedOperationId<C>>(
    id: Id,
    ...rest: PaginateArgs<SpecOperationTypes[Id]['input']>
  ): AsyncGenerator<PageItemOf<Id>, void, undefined>;
  paginate(
    id: string,
    input: Record<string, unknown> = {},
    options: PageOptions & CallOptions = {},
  ): AsyncGenerator<unknown, void, undefined> {
    return this.paginateUntyped(id, input, options);
  }

  /** `paginate` for an id and input known only at run time: the same checks, when it runs. */
  paginateUntyped(
    id: string,
    input: Record<string, unknown> = {},
    options: PageOptions & CallOptions = {},
  ): AsyncGenerator<unknown, void, undefined> {
    const operation = this.operation(id);
    if (paginationOf(operation) === undefined)
      throw new ConfigError(
        `${operation.id} is not a paginated listing: call run() instead of paginate() (listings that paginate have a start or offset input).`,
      );
    return paginate(
      (pageInput) => this.runUntyped(operation.id, pageInput, options),
      operation,
      input,
      options,
    );
  }

  /** What `JSON.stringify(client)` shows: never a credential. */
  toJSON(): { connector: C; region: Region; baseUrl: string } {
    return { connector: this.connector, region: this.region, baseUrl: this.baseUrl };
  }

  [inspect.custom](): string {
    return `Client ${inspect(this.toJSON())}`;
  }

  /** Closes the client's keep-alive connections. */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  private operation(id: string): AnyOperation {
    const operation = requireOperation(id);
    if (operation.connector !== this.connector) {
      throw new ConfigError(
        `Operation ${id} belongs to the ${operation.connector} connector; this client is for ${this.connector}.`,
      );
    }
    return operation;
  }
}

/**
 * Schema + refinement checks, then encoding. Throws `ValidationError` listing every problem in one
 * round: the refinements (byte limits and other rules a schema cannot say) run even when the
 * schema found problems, so that fixing one does not reveal the next.
 */
export function encodeValid(operation: AnyOperation, input: unknown, newId: () => string = ulid) {
  // Values that cannot become JSON, URL or header text first: nothing below may throw on them.
  const issues = isSendableJson(input) ? [] : jsonInputIssues(input);
  if (issues.length === 0) {
    const schema = schemaIssues(operation.input, input);
    issues.push(...schema, ...refinementIssues(operation, input, schema));
  }
  if (issues.length > 0) throw new ValidationError(`Invalid input for ${operation.id}`, issues);
  return operation.encode(input, { newId });
}

/** The refinement's problems that the schema did not already report at the same place. */
function refinementIssues(
  operation: AnyOperation,
  input: unknown,
  schema: readonly ValidationIssue[],
): ValidationIssue[] {
  if (operation.refine === undefined) return [];
  let found: readonly ValidationIssue[];
  try {
    found = operation.refine(input);
  } catch (error) {
    // A refinement may expect schema-valid input; with schema problems, those are the answer.
    if (schema.length > 0) return [];
    throw error;
  }
  const taken = new Set(schema.map((i) => i.path));
  return found.filter((i) => !taken.has(i.path));
}

/** A typed method per operation generated from the specs (`client.listSegments({})`). */
export type SpecOperationMethods<C extends ConnectorId> = {
  [K in SpecOperationId as K extends `${C}.${infer Name}` ? CamelCase<Name> : never]: (
    input: SpecOperationTypes[K]['input'],
    options?: CallOptions,
  ) => Promise<SpecOperationTypes[K]['output']>;
};

export type ConnectorClient<C extends ConnectorId> = Client<C> &
  OperationMethods<C> &
  SpecOperationMethods<C>;

/** Creates a client for one connector, with a typed method per operation of that connector. */
export function createClient<C extends ConnectorId>(options: ClientOptions<C>): ConnectorClient<C> {
  const client = new Client(options);
  for (const operation of listOperations(options.connector)) {
    const method = camelCase(operation.id.slice(operation.id.indexOf('.') + 1));
    Object.defineProperty(client, method, {
      value: (input: unknown, callOptions?: CallOptions) =>
        client.runUntyped(operation.id, input, callOptions),
      enumerable: false,
    });
  }
  return client as ConnectorClient<C>;
}

function bothObservers(
  first: DeliveryObserver | undefined,
  second: DeliveryObserver | undefined,
): DeliveryObserver | undefined {
  if (first === undefined || second === undefined) return first ?? second;
  return (event) => {
    first(event);
    second(event);
  };
}

function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
