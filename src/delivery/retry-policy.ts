/**
 * When to retry, as a pure function: no timers, no I/O, the clock and the randomness passed in.
 *
 * Defaults (documented in the README): up to 3 retries; exponential backoff from 200 ms with
 * "equal jitter" (half fixed, half random), each wait capped at 5 s; `Retry-After` honoured
 * (seconds or HTTP date), capped at 60 s; no retry that would take one call past 90 s in total
 * (room for one capped Retry-After).
 */

export interface RetryOptions {
  /** Retries after the first attempt (0 disables retries). */
  maxRetries: number;
  baseDelayMs: number;
  /** Cap of one computed backoff wait. */
  maxDelayMs: number;
  /** Cap of a wait asked for by `Retry-After`. */
  maxRetryAfterMs: number;
  /** Total time one call may take, attempts and waits included, before giving up retrying. */
  budgetMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryOptions> = {
  maxRetries: 3,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 60_000,
  budgetMs: 90_000,
};

/** What one attempt ended with. */
export type AttemptOutcome =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string | undefined }
  | { readonly kind: 'connection'; readonly beforeSend: boolean }
  | { readonly kind: 'timeout' };

export interface RetryInput {
  readonly outcome: AttemptOutcome;
  /** Retries already made (0 after the first attempt). */
  readonly retries: number;
  /** Time spent on this call so far. */
  readonly elapsedMs: number;
  /** Whether resending the request cannot cause a second effect (idempotent or deduplicated). */
  readonly idempotent: boolean;
  readonly options: Readonly<RetryOptions>;
  /** A number in [0, 1). */
  readonly random: number;
  /** Wall clock in ms, for `Retry-After` HTTP dates. */
  readonly nowMs: number;
}

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly fromRetryAfter: boolean }
  | {
      readonly retry: false;
      readonly reason: 'success' | 'not_retryable' | 'exhausted' | 'budget' | 'delivery_unknown';
    };

const RETRYABLE_STATUS = new Set([408, 429]);

export function isRetryableOutcome(outcome: AttemptOutcome): boolean {
  if (outcome.kind !== 'status') return true;
  return RETRYABLE_STATUS.has(outcome.status) || outcome.status >= 500;
}

/**
 * A request that provably had no effect: refused before any byte was sent, or refused by the
 * server's rate limiter (a 429 means the request was not processed). Only these are resent for
 * operations that cannot be deduplicated.
 */
export function provablyNotProcessed(outcome: AttemptOutcome): boolean {
  return (
    (outcome.kind === 'connection' && outcome.beforeSend) ||
    (outcome.kind === 'status' && outcome.status === 429)
  );
}

export function decideRetry(input: RetryInput): RetryDecision {
  const { outcome, options } = input;
  if (outcome.kind === 'status' && outcome.status >= 200 && outcome.status < 300)
    return { retry: false, reason: 'success' };
  if (!isRetryableOutcome(outcome)) return { retry: false, reason: 'not_retryable' };
  if (!input.idempotent && !provablyNotProcessed(outcome))
    return { retry: false, reason: 'delivery_unknown' };
  if (input.retries >= options.maxRetries) return { retry: false, reason: 'exhausted' };
  const retryAfterMs =
    outcome.kind === 'status' ? parseRetryAfter(outcome.retryAfter, input.nowMs) : undefined;
  const delayMs =
    retryAfterMs !== undefined
      ? Math.min(retryAfterMs, options.maxRetryAfterMs)
      : backoff(input.retries, options, input.random);
  if (input.elapsedMs + delayMs > options.budgetMs) return { retry: false, reason: 'budget' };
  return { retry: true, delayMs, fromRetryAfter: retryAfterMs !== undefined };
}

/** Exponential backoff with equal jitter: half of the capped exponential wait, plus a random half. */
export function backoff(retries: number, options: Readonly<RetryOptions>, random: number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retries);
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined when unusable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date has a weekday and month name; Date.parse alone would read "-1" as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
