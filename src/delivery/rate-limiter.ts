/**
 * Client-side rate limits: one limiter per (rate bucket, credential), shared by every client and
 * every concurrent call in the process. The core is a pure sliding-window schedule; the async part
 * only sleeps.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateBucket } from '../operations/types.js';

export interface RateLimit {
  /** Requests allowed… */
  requests: number;
  /** …per this many milliseconds. */
  perMs: number;
}

/**
 * Defaults (customerio-api.md §3.1, §7b): Track 100/s (the documented soft limit is 1000/s; older
 * docs say 100/s, so plan for 100), App 10/s, broadcast triggers 1 per 10 s, transactional 100/s.
 */
export const DEFAULT_RATE_LIMITS: Readonly<Record<RateBucket, RateLimit>> = {
  track: { requests: 100, perMs: 1_000 },
  app: { requests: 10, perMs: 1_000 },
  app_broadcast_trigger: { requests: 1, perMs: 10_000 },
  app_transactional: { requests: 100, perMs: 1_000 },
};

/**
 * A sliding window of request start times: at most `requests` starts in any window of
 * `perMs + marginMs`. The margin absorbs scheduling and network jitter between our clock and the
 * server's, so the server never sees more than `requests` in its own window.
 */
export class SlidingWindow {
  private starts: number[] = [];
  private pausedUntil = 0;

  constructor(
    private limit: RateLimit,
    private readonly marginMs: number = Math.max(10, Math.round(limit.perMs * 0.05)),
  ) {}

  setLimit(limit: RateLimit): void {
    this.limit = limit;
  }

  /** Books the next start at or after `now` and returns how long to wait for it (pure: no timers). */
  reserve(now: number): number {
    const window = this.limit.perMs + this.marginMs;
    const n = this.limit.requests;
    let at = Math.max(now, this.pausedUntil);
    if (this.starts.length >= n) {
      const bound = this.starts[this.starts.length - n];
      if (bound !== undefined) at = Math.max(at, bound + window);
    }
    this.starts.push(at);
    // Forget starts that can no longer bound anything.
    if (this.starts.length > n * 2) this.starts = this.starts.slice(-n);
    return at - now;
  }

  /** After a 429 with Retry-After: no new starts before `until`. */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }
}

export class RateLimiter {
  readonly window: SlidingWindow;

  constructor(limit: RateLimit) {
    this.window = new SlidingWindow(limit);
  }

  /** Books a start; returns a promise to await when the start is in the future, else undefined. */
  acquire(signal?: AbortSignal): Promise<void> | undefined {
    const wait = this.window.reserve(Date.now());
    if (wait <= 0) return undefined;
    return sleep(wait, undefined, signal === undefined ? undefined : { signal });
  }

  pauseFor(ms: number): void {
    this.window.pause(Date.now() + ms);
  }
}

const limiters = new Map<string, RateLimiter>();

/** A short, irreversible fingerprint of a credential (the limiter key never holds a secret). */
export function credentialFingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/**
 * The process-wide limiter for a bucket and credential. App and Beta with the same App key share
 * one (same workspace, same limits). The most recently configured limit applies.
 */
export function sharedLimiter(bucket: RateBucket, fingerprint: string, limit: RateLimit): RateLimiter {
  const key = `${bucket}:${fingerprint}`;
  let limiter = limiters.get(key);
  if (limiter === undefined) {
    limiter = new RateLimiter(limit);
    limiters.set(key, limiter);
  } else {
    limiter.window.setLimit(limit);
  }
  return limiter;
}
