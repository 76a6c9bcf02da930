/**
 * What `deliver` tells an observer while one call is under way: each retry it is about to wait for
 * (and why), each wait for the client-side rate limit, and why it stopped retrying. For progress
 * lines and `--verbose` in the CLI, or a caller's own metrics. Observers must not throw.
 */
export type DeliveryEvent =
  | {
      readonly type: 'retry';
      readonly operationId: string;
      /** The attempt that just failed (1 = the first). */
      readonly attempt: number;
      /** Attempts the retry policy allows in all (retries + 1). */
      readonly maxAttempts: number;
      /** What the failed attempt ended with: `429`, `503`, `timeout`, `connection`. */
      readonly cause: string;
      readonly delayMs: number;
      /** The wait is the server's `Retry-After`, not the computed backoff. */
      readonly fromRetryAfter: boolean;
    }
  | {
      readonly type: 'give_up';
      readonly operationId: string;
      /** Attempts made. */
      readonly attempts: number;
      readonly cause: string;
      /** Why no further attempt: `exhausted`, `budget`, `not_retryable`, `delivery_unknown`. */
      readonly reason: string;
    }
  | { readonly type: 'throttled'; readonly operationId: string };

export type DeliveryObserver = (event: DeliveryEvent) => void;
