/** The emulator enforcing Customer.io's rate limits itself: 429 + Retry-After beyond them. */

export type LimitedFamily = 'track' | 'app';

export interface EmulatorRateLimits {
  /** Requests per second on Track routes. */
  track?: number;
  /** Requests per second on App and Beta routes. */
  app?: number;
}

/** Parses `track=100,app=10`. */
export function parseRateLimits(text: string): EmulatorRateLimits {
  const limits: EmulatorRateLimits = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const match = /^(track|app)=(\d+)$/.exec(part);
    if (match === null) throw new Error(`"${part}" is not family=requests-per-second (families: track, app)`);
    const n = Number(match[2]);
    if (n < 1) throw new Error(`"${part}": the limit must be at least 1 per second`);
    limits[match[1] as LimitedFamily] = n;
  }
  return limits;
}

/** Sliding one-second windows of arrival times, per family. */
export class ArrivalLimiter {
  private readonly arrivals: Record<LimitedFamily, number[]> = { track: [], app: [] };

  constructor(public limits: EmulatorRateLimits = {}) {}

  /** Records an arrival; returns seconds to wait (Retry-After) when it is over the limit. */
  admit(family: LimitedFamily, now: number): number | undefined {
    const limit = this.limits[family];
    if (limit === undefined) return undefined;
    const window = this.arrivals[family].filter((t) => t > now - 1000);
    this.arrivals[family] = window;
    if (window.length >= limit) {
      const oldest = window[0] ?? now;
      return Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
    }
    window.push(now);
    return undefined;
  }

  reset(): void {
    this.arrivals.track = [];
    this.arrivals.app = [];
  }
}
