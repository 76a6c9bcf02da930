import { describe, expect, it } from 'vitest';
import { ArrivalLimiter, parseRateLimits } from './rate-limit.js';

describe('ArrivalLimiter', () => {
  it('admits N per sliding second per family and says when to retry', () => {
    const limiter = new ArrivalLimiter({ app: 2 });
    expect(limiter.admit('app', 0)).toBeUndefined();
    expect(limiter.admit('app', 100)).toBeUndefined();
    expect(limiter.admit('app', 200)).toBe(1);
    expect(limiter.admit('track', 200)).toBeUndefined(); // no limit on track
    expect(limiter.admit('app', 1001)).toBeUndefined();
    expect(limiter.admit('app', 1050)).toBe(1);
  });

  it('parses --rate-limit', () => {
    expect(parseRateLimits('track=100, app=10')).toEqual({ track: 100, app: 10 });
    expect(() => parseRateLimits('beta=1')).toThrow(/family=requests-per-second/);
    expect(() => parseRateLimits('app=0')).toThrow(/at least 1/);
  });
});
