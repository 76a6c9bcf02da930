import { describe, expect, it } from 'vitest';
import { credentialFingerprint, SlidingWindow } from './rate-limiter.js';

/** Books `count` requests arriving at `now`, returning their start times. */
function schedule(window: SlidingWindow, count: number, now = 0): number[] {
  return Array.from({ length: count }, () => now + window.reserve(now));
}

describe('SlidingWindow', () => {
  it('never lets more than N starts into any window', () => {
    const window = new SlidingWindow({ requests: 10, perMs: 1000 }, 50);
    const starts = schedule(window, 35);
    expect(starts.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(starts[10]).toBe(1050);
    for (let i = 0; i + 10 < starts.length; i++) {
      expect((starts[i + 10] ?? 0) - (starts[i] ?? 0)).toBeGreaterThanOrEqual(1050);
    }
  });

  it('spaces a 1-per-10-seconds bucket', () => {
    const window = new SlidingWindow({ requests: 1, perMs: 10_000 }, 0);
    expect(schedule(window, 3, 5)).toEqual([5, 10_005, 20_005]);
  });

  it('pauses after a 429 with Retry-After', () => {
    const window = new SlidingWindow({ requests: 100, perMs: 1000 }, 0);
    window.pause(2000);
    expect(window.reserve(500)).toBe(1500);
    expect(window.reserve(2500)).toBe(0);
  });
});

describe('credentialFingerprint', () => {
  it('is stable, short and not the secret', () => {
    expect(credentialFingerprint('Bearer secret')).toBe(credentialFingerprint('Bearer secret'));
    expect(credentialFingerprint('Bearer secret')).not.toContain('secret');
    expect(credentialFingerprint('Bearer secret')).toHaveLength(16);
  });
});
