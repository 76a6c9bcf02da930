/**
 * Sign-in attempts are limited per email and per client IP (rate-limiter-flexible; in memory
 * today, and the same library has Redis and PostgreSQL stores for several server processes).
 *
 * Every attempt takes a point before the password is checked, so parallel guesses cannot slip
 * past the limit; a success gives the email's points back (its failures are forgotten) and
 * returns the IP's point. A success does not clear the IP's earlier failures: an attacker with
 * one account must not be able to reset the limit they spend guessing others'.
 *
 * The per-IP limit is higher than the per-email one: people behind one NAT share an IP, and one
 * person locking their account out must not lock out their colleagues.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface LoginLimit {
  /** Attempts allowed in the window (failures; successes are given back). */
  attempts: number;
  windowSeconds: number;
}

export interface LoginLimits {
  perEmail: LoginLimit;
  perIp: LoginLimit;
}

/** 5 failures per email, 50 per IP, in 15 minutes. */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perEmail: { attempts: 5, windowSeconds: 15 * 60 },
  perIp: { attempts: 50, windowSeconds: 15 * 60 },
};

export class LoginLimiter {
  private readonly perEmail: RateLimiterMemory;
  private readonly perIp: RateLimiterMemory;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.perEmail = new RateLimiterMemory({
      keyPrefix: 'login-email',
      points: limits.perEmail.attempts,
      duration: limits.perEmail.windowSeconds,
    });
    this.perIp = new RateLimiterMemory({
      keyPrefix: 'login-ip',
      points: limits.perIp.attempts,
      duration: limits.perIp.windowSeconds,
    });
  }

  /**
   * Takes an attempt for this IP, then for this email; the seconds to wait when a limit is
   * reached (then nothing is checked), undefined when the attempt may go ahead.
   */
  async attempt(ip: string, email: string): Promise<number | undefined> {
    // The IP first: an address already over its limit is turned away without touching the
    // email's count, so it cannot lock other people's accounts out by guessing at them.
    try {
      await this.perIp.consume(ip);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
    }
    try {
      await this.perEmail.consume(emailKey(email));
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      return Math.max(1, Math.ceil(error.msBeforeNext / 1000));
    }
    return undefined;
  }

  /** The password was right: the email's failures are forgotten and the IP's attempt returned. */
  async succeeded(ip: string, email: string): Promise<void> {
    await this.perEmail.delete(emailKey(email));
    await this.perIp.reward(ip, 1);
  }
}

const emailKey = (email: string): string => email.trim().toLowerCase();
