/**
 * Sends one prepared request with the client-side rate limit and the retry policy: the seam
 * between the pure policy (`delivery/retry-policy.ts`) and the wire (`Transport.attempt`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AbortedError,
  ApiError,
  CiocError,
  ConnectionError,
  DeliveryUnknownError,
  TimeoutError,
} from '../errors.js';
import type { WireResponse } from '../operations/types.js';
import { type RateLimiter } from '../delivery/rate-limiter.js';
import {
  decideRetry,
  parseRetryAfter,
  type AttemptOutcome,
  type RetryOptions,
} from '../delivery/retry-policy.js';
import type { ExchangeObserver, OutgoingRequest, Transport } from './transport.js';
import type { DeliveryObserver } from './delivery-events.js';

export interface DeliverOptions {
  readonly operationId: string;
  /** Resending cannot cause a second effect (idempotent, or deduplicated by an event id). */
  readonly idempotent: boolean;
  readonly retry: Readonly<RetryOptions>;
  readonly limiter: RateLimiter | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
  /** Sees every attempt, redacted (see `Transport.attempt`). */
  readonly onExchange?: ExchangeObserver | undefined;
  /** Sees each retry, rate-limit wait and the reason retrying stopped (progress, `--verbose`). */
  readonly onEvent?: DeliveryObserver | undefined;
  /** For tests: the source of jitter. */
  readonly random?: () => number;
}

const UNKNOWN_DELIVERY_HINT =
  'The request may have reached Customer.io. Check whether it took effect (for a transactional send: GET /v1/messages; for a broadcast: GET /v1/broadcasts/{id}/triggers) before sending it again: resending may deliver twice.';

export function outcomeOf(error: unknown): AttemptOutcome | undefined {
  if (error instanceof ApiError)
    return { kind: 'status', status: error.status, retryAfter: error.headers['retry-after'] };
  if (error instanceof ConnectionError) return { kind: 'connection', beforeSend: error.beforeSend };
  if (error instanceof TimeoutError) return { kind: 'timeout' };
  return undefined;
}

export async function deliver(
  transport: Transport,
  prepared: OutgoingRequest,
  options: DeliverOptions,
): Promise<WireResponse> {
  const started = Date.now();
  const random = options.random ?? Math.random;
  for (let retries = 0; ; retries++) {
    const waiting = options.limiter?.acquire(options.signal);
    if (waiting !== undefined) {
      options.onEvent?.({ type: 'throttled', operationId: options.operationId });
      await wait(waiting, options.signal);
    }
    const attempt = retries + 1;
    options.onEvent?.({ type: 'request', operationId: options.operationId, attempt });
    try {
      const response = await transport.attempt(prepared, {
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        onExchange: options.onExchange,
      });
      options.onEvent?.({
        type: 'response',
        operationId: options.operationId,
        attempt,
        result: String(response.status),
      });
      return response;
    } catch (error) {
      const outcome = outcomeOf(error);
      options.onEvent?.({
        type: 'response',
        operationId: options.operationId,
        attempt,
        result:
          outcome === undefined ? 'error' : outcome.kind === 'status' ? String(outcome.status) : outcome.kind,
      });
      if (outcome === undefined || !(error instanceof CiocError)) throw error;
      if (outcome.kind === 'status' && outcome.status === 429) {
        // Customer.io asked everyone using this credential to slow down, not only this call.
        const pauseMs = parseRetryAfter(outcome.retryAfter, Date.now());
        if (pauseMs !== undefined)
          options.limiter?.pauseFor(Math.min(pauseMs, options.retry.maxRetryAfterMs));
      }
      const decision = decideRetry({
        outcome,
        retries,
        elapsedMs: Date.now() - started,
        idempotent: options.idempotent,
        options: options.retry,
        random: random(),
        nowMs: Date.now(),
      });
      const cause = outcome.kind === 'status' ? String(outcome.status) : outcome.kind;
      if (decision.retry) {
        options.onEvent?.({
          type: 'retry',
          operationId: options.operationId,
          attempt: retries + 1,
          maxAttempts: options.retry.maxRetries + 1,
          cause,
          delayMs: decision.delayMs,
          fromRetryAfter: decision.fromRetryAfter,
        });
        await wait(
          sleep(
            decision.delayMs,
            undefined,
            options.signal === undefined ? undefined : { signal: options.signal },
          ),
          options.signal,
        );
        continue;
      }
      options.onEvent?.({
        type: 'give_up',
        operationId: options.operationId,
        attempts: retries + 1,
        cause,
        reason: decision.reason,
      });
      if (decision.reason === 'delivery_unknown')
        throw new DeliveryUnknownError(options.operationId, error, UNKNOWN_DELIVERY_HINT);
      throw error;
    }
  }
}

/** Awaits a wait, turning an abort into `AbortedError`. */
async function wait(promise: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (signal?.aborted === true) throw new AbortedError('The call was aborted by the caller');
    throw error;
  }
}
