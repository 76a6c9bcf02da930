import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoginLimiter } from './login-limiter.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2025-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LoginLimiter', () => {
  it('allows 5 attempts per email in 15 minutes, then says how long to wait, and allows again after', async () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 5; i++) expect(await limiter.attempt('10.0.0.1', 'Ada@example.com')).toBeUndefined();
    expect(await limiter.attempt('10.0.0.2', 'ada@example.com ')).toBe(900);
    vi.advanceTimersByTime(10 * 60 * 1000);
    expect(await limiter.attempt('10.0.0.3', 'ada@example.com')).toBe(300);
    expect(await limiter.attempt('10.0.0.3', 'bob@example.com')).toBeUndefined();
    vi.advanceTimersByTime(5 * 60 * 1000);
    expect(await limiter.attempt('10.0.0.3', 'ada@example.com')).toBeUndefined();
  });

  it("forgets an email's failures on success, but not the IP's", async () => {
    const limiter = new LoginLimiter({
      perEmail: { attempts: 2, windowSeconds: 60 },
      perIp: { attempts: 4, windowSeconds: 60 },
    });
    expect(await limiter.attempt('ip', 'a@example.com')).toBeUndefined();
    expect(await limiter.attempt('ip', 'a@example.com')).toBeUndefined();
    await limiter.succeeded('ip', 'a@example.com');
    expect(await limiter.attempt('ip', 'a@example.com')).toBeUndefined();
    // The IP has spent 2 of 4 (the failure and this one; the success was returned): two more, then none.
    expect(await limiter.attempt('ip', 'b@example.com')).toBeUndefined();
    expect(await limiter.attempt('ip', 'c@example.com')).toBeUndefined();
    expect(await limiter.attempt('ip', 'd@example.com')).toBe(60);
    expect(await limiter.attempt('other-ip', 'd@example.com')).toBeUndefined();
  });

  it("an IP over its limit is turned away without spending the email's attempts (no lock-out of others)", async () => {
    const limiter = new LoginLimiter({
      perEmail: { attempts: 2, windowSeconds: 60 },
      perIp: { attempts: 3, windowSeconds: 60 },
    });
    for (const email of ['x@example.com', 'y@example.com', 'z@example.com'])
      expect(await limiter.attempt('attacker', email)).toBeUndefined();
    for (let i = 0; i < 5; i++) expect(await limiter.attempt('attacker', ' ADMIN@example.com ')).toBe(60);
    expect(await limiter.attempt('office', 'admin@example.com')).toBeUndefined();
    expect(await limiter.attempt('office', 'admin@example.com')).toBeUndefined();
    expect(await limiter.attempt('office', 'admin@example.com')).toBe(60);
  });
});
