/** Time as the triggers see it: the system clock, or a manual one that tests move forward. */
export interface Timer {
  clear(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void | Promise<void>, ms: number): Timer;
}

/** Timers longer than this are chained (setTimeout's limit is about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    let handle: NodeJS.Timeout;
    const arm = (left: number): void => {
      handle = setTimeout(
        () => {
          if (left > MAX_TIMER_MS) arm(left - MAX_TIMER_MS);
          else void fn();
        },
        Math.min(left, MAX_TIMER_MS),
      );
      handle.unref();
    };
    arm(Math.max(0, ms));
    return {
      clear: () => {
        clearTimeout(handle);
      },
    };
  },
};

/** A clock that moves only when told: `advance(ms)` runs every timer that falls due, in order. */
export class ManualClock implements Clock {
  private timers: { at: number; fn: () => void | Promise<void>; seq: number }[] = [];
  private seq = 0;

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void | Promise<void>, ms: number): Timer {
    const timer = { at: this.current + Math.max(0, ms), fn, seq: this.seq++ };
    this.timers.push(timer);
    return {
      clear: () => {
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  /** Moves time forward, awaiting each due timer (and any it sets that are due too). */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      await due.fn();
    }
    this.current = target;
  }
}
