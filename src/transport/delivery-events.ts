/**
 * What `deliver` tells an observer while one call is under way: each attempt sent and answered,
 * each retry it is about to wait for (and why), each wait for the client-side rate limit, and why
 * it stopped retrying. For progress lines and `--verbose` in the CLI (a spinner while a slow
 * answer is awaited), or a caller's own metrics. Observers must not throw.
 */
export type DeliveryEvent =
  | {
      /** An attempt is about to go out (after any rate-limit wait). */
      readonly type: 'request';
      readonly operationId: string;
      /** 1 = the first. */
      readonly attempt: number;
    }
  | {
      /** The attempt ended: answered, failed or aborted. */
      readonly type: 'response';
      readonly operationId: string;
      readonly attempt: number;
      /** The HTTP status (`200`, `429`…), or `timeout`, `connection`, `error` when none came. */
      readonly result: string;
    }
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
