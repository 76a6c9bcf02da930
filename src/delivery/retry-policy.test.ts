import { describe, expect, it } from 'vitest';
import {
  backoff,
  decideRetry,
  DEFAULT_RETRY,
  parseRetryAfter,
  type AttemptOutcome,
  type RetryInput,
} from './retry-policy.js';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const input = (outcome: AttemptOutcome, overrides: Partial<RetryInput> = {}): RetryInput => ({
  outcome,
  retries: 0,
  elapsedMs: 0,
  idempotent: true,
  options: DEFAULT_RETRY,
  random: 0.5,
  nowMs: NOW,
  ...overrides,
});
const status = (code: number, retryAfter?: string): AttemptOutcome => ({
  kind: 'status',
  status: code,
  retryAfter,
});

describe('decideRetry', () => {
  it('retries connection errors, timeouts, 408, 429 and 5xx for idempotent calls', () => {
    for (const outcome of [
      { kind: 'connection', beforeSend: false } as const,
      { kind: 'timeout' } as const,
      status(408),
      status(429),
      status(500),
      status(503),
      status(522),
      status(524),
    ]) {
      expect(decideRetry(input(outcome)).retry, JSON.stringify(outcome)).toBe(true);
    }
  });

  it('never retries other 4xx, and stops on success', () => {
    for (const code of [400, 401, 403, 404, 409, 413, 422]) {
      expect(decideRetry(input(status(code)))).toEqual({ retry: false, reason: 'not_retryable' });
    }
    expect(decideRetry(input(status(207)))).toEqual({ retry: false, reason: 'success' });
  });

  it('resends a non-idempotent send only when it provably had no effect', () => {
    const unsafe = { idempotent: false };
    expect(decideRetry(input({ kind: 'connection', beforeSend: true }, unsafe)).retry).toBe(true);
    expect(decideRetry(input(status(429, '2'), unsafe))).toEqual({
      retry: true,
      delayMs: 2000,
      fromRetryAfter: true,
    });
    for (const outcome of [
      { kind: 'connection', beforeSend: false } as const,
      { kind: 'timeout' } as const,
      status(500),
      status(503),
      status(408),
    ]) {
      expect(decideRetry(input(outcome, unsafe))).toEqual({ retry: false, reason: 'delivery_unknown' });
    }
  });

  it('backs off exponentially with jitter, capped per wait', () => {
    expect(backoff(0, DEFAULT_RETRY, 0)).toBe(100);
    expect(backoff(0, DEFAULT_RETRY, 0.999)).toBe(200);
    expect(backoff(2, DEFAULT_RETRY, 0)).toBe(400);
    expect(backoff(10, DEFAULT_RETRY, 1)).toBe(5000);
    expect(decideRetry(input(status(503), { retries: 1, random: 0 }))).toEqual({
      retry: true,
      delayMs: 200,
      fromRetryAfter: false,
    });
  });

  it('honours Retry-After in seconds or as an HTTP date, capped', () => {
    expect(decideRetry(input(status(429, '1')))).toMatchObject({ delayMs: 1000, fromRetryAfter: true });
    expect(decideRetry(input(status(503, new Date(NOW + 3000).toUTCString())))).toMatchObject({
      delayMs: 3000,
    });
    expect(decideRetry(input(status(429, '3600')))).toMatchObject({ delayMs: 60_000 });
    expect(decideRetry(input(status(429, 'soon')))).toMatchObject({ fromRetryAfter: false });
  });

  it('stops after maxRetries and when the time budget would be exceeded', () => {
    expect(decideRetry(input(status(503), { retries: 3 }))).toEqual({ retry: false, reason: 'exhausted' });
    expect(decideRetry(input(status(429, '10'), { elapsedMs: 85_000 }))).toEqual({
      retry: false,
      reason: 'budget',
    });
    expect(decideRetry(input(status(503), { options: { ...DEFAULT_RETRY, maxRetries: 0 } }))).toEqual({
      retry: false,
      reason: 'exhausted',
    });
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and dates, and refuses garbage', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 1.5 ', NOW)).toBe(1500);
    expect(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('-1', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});
