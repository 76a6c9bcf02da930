/**
 * Reporting-webhook verification (customerio-api.md §5): Customer.io signs
 * `"v0:" + X-CIO-Timestamp + ":" + <raw body>` with HMAC-SHA256 under the webhook signing key and
 * sends the lowercase hex digest as X-CIO-Signature. Hex is confirmed by usage, not by the official
 * text; no replay window is documented, so the 5-minute default here is the common practice
 * (UNCONFIRMED) and can be changed or turned off.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors.js';

export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface WebhookCheck {
  /** The webhook signing key: a non-empty string, or verification is a `ConfigError`. */
  signingKey: string;
  /** The X-CIO-Timestamp header (unix seconds, digits only), verified exactly as sent. */
  timestamp: string | number | undefined;
  /** The X-CIO-Signature header (64 hex digits). */
  signature: string | undefined;
  /** The raw body bytes, exactly as received: re-serialised JSON does not verify. */
  body: string | Buffer | Uint8Array;
  /** Oldest (and furthest in the future) timestamp accepted, in seconds; 0 turns the check off. */
  toleranceSeconds?: number;
  /** Now, in unix seconds (for tests). */
  now?: number;
}

export type WebhookVerdict =
  | { ok: true; event: unknown; timestamp: number }
  | {
      ok: false;
      reason: 'missing_headers' | 'bad_timestamp' | 'stale' | 'bad_signature' | 'bad_body' | 'bad_json';
      message: string;
    };

/** An HMAC-SHA256 digest in hex: 32 bytes, 64 digits. */
const SIGNATURE = /^[0-9a-fA-F]{64}$/;
/** Unix seconds as Customer.io sends them: digits only (no sign, space, exponent or hex). */
const TIMESTAMP = /^[0-9]{1,15}$/;

function checkedKey(signingKey: unknown): string {
  if (typeof signingKey !== 'string' || signingKey === '') {
    throw new ConfigError(
      'The webhook signing key is missing or empty: set it (Customer.io → Data & Integrations → Reporting webhooks → signing key) before verifying webhooks.',
    );
  }
  return signingKey;
}

function checkedTolerance(tolerance: unknown): number {
  if (tolerance === undefined) return DEFAULT_TOLERANCE_SECONDS;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new ConfigError(
      `toleranceSeconds must be a number of seconds, 0 or more (0 turns the replay check off), not ${typeof tolerance === 'number' ? String(tolerance) : `a ${typeof tolerance}`}`,
    );
  }
  return tolerance;
}

function checkedNow(now: unknown): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  // NaN would make every timestamp look fresh: the replay check silently off.
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new ConfigError(
      `now must be a finite number of unix seconds, not ${typeof now === 'number' ? String(now) : now === null ? 'null' : `a ${typeof now}`}`,
    );
  }
  return now;
}

/** The signature Customer.io sends for a body at a timestamp (signed as the header text). */
export function signWebhook(signingKey: string, timestamp: number | string, body: string | Buffer): string {
  return createHmac('sha256', checkedKey(signingKey))
    .update(`v0:${String(timestamp)}:`)
    .update(body)
    .digest('hex');
}

/**
 * Checks one delivery. A bad delivery is a verdict (`ok: false` with a reason), never an
 * exception; a bad configuration (no signing key, a negative or NaN tolerance, a `now` that is not
 * a finite number) is a `ConfigError`.
 */
export function verifyWebhook(check: WebhookCheck): WebhookVerdict {
  const signingKey = checkedKey(check.signingKey);
  const tolerance = checkedTolerance(check.toleranceSeconds);
  const now = checkedNow(check.now);
  if (check.timestamp === undefined || check.signature === undefined || check.signature === '') {
    return {
      ok: false,
      reason: 'missing_headers',
      message: 'X-CIO-Timestamp and X-CIO-Signature are both required',
    };
  }
  // The header is signed and compared exactly as sent: " 1700000000", "1.7e9" or "0x6553F100"
  // name the same instant as a number but are not what Customer.io sends.
  const timestampText = typeof check.timestamp === 'number' ? String(check.timestamp) : check.timestamp;
  if (typeof timestampText !== 'string' || !TIMESTAMP.test(timestampText)) {
    return {
      ok: false,
      reason: 'bad_timestamp',
      message: `X-CIO-Timestamp must be unix seconds (digits only), not ${JSON.stringify(String(check.timestamp))}`,
    };
  }
  const timestamp = Number(timestampText);
  const body = check.body as unknown;
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    return {
      ok: false,
      reason: 'bad_body',
      message:
        'The body must be the raw bytes as received (a string or a Buffer), not a parsed object: re-serialised JSON does not verify',
    };
  }
  const given = typeof check.signature === 'string' && SIGNATURE.test(check.signature) ? check.signature : '';
  const expected = Buffer.from(signWebhook(signingKey, timestampText, Buffer.from(body)), 'hex');
  // Constant-time comparison; anything but 64 hex digits is a mismatch.
  if (given === '' || !timingSafeEqual(Buffer.from(given, 'hex'), expected)) {
    return {
      ok: false,
      reason: 'bad_signature',
      message: 'The signature does not match the body and timestamp under this signing key',
    };
  }
  if (tolerance > 0 && Math.abs(now - timestamp) > tolerance) {
    return {
      ok: false,
      reason: 'stale',
      message: `The timestamp is ${String(Math.abs(now - timestamp))} s away from now (more than ${String(tolerance)} s): a replay?`,
    };
  }
  try {
    return {
      ok: true,
      event: JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8')) as unknown,
      timestamp,
    };
  } catch {
    return { ok: false, reason: 'bad_json', message: 'The body is signed correctly but is not JSON' };
  }
}

/** For HTTP handlers: reads the two headers (any case) from a Node-style headers object. */
export function verifyWebhookRequest(
  request: {
    headers: Readonly<Record<string, string | string[] | undefined>>;
    rawBody: string | Buffer | Uint8Array;
  },
  signingKey: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): WebhookVerdict {
  // A request without a headers object has neither header: a verdict, not a TypeError.
  const headers: unknown = (request as { headers?: unknown } | null | undefined)?.headers;
  const header = (name: string): string | undefined => {
    if (typeof headers !== 'object' || headers === null) return undefined;
    const entry = Object.entries(headers as Record<string, unknown>).find(
      ([key]) => key.toLowerCase() === name,
    );
    const value = entry?.[1];
    const first: unknown = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? first : undefined;
  };
  return verifyWebhook({
    signingKey,
    timestamp: header('x-cio-timestamp'),
    signature: header('x-cio-signature'),
    body: (request as { rawBody?: unknown } | null | undefined)?.rawBody as WebhookCheck['body'],
    ...options,
  });
}
