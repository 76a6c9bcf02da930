/**
 * Reporting-webhook verification (customerio-api.md §5): Customer.io signs
 * `"v0:" + X-CIO-Timestamp + ":" + <raw body>` with HMAC-SHA256 under the webhook signing key and
 * sends the lowercase hex digest as X-CIO-Signature. Hex is confirmed by usage, not by the official
 * text; no replay window is documented, so the 5-minute default here is the common practice
 * (UNCONFIRMED) and can be changed or turned off.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface WebhookCheck {
  signingKey: string;
  /** The X-CIO-Timestamp header (unix seconds). */
  timestamp: string | number | undefined;
  /** The X-CIO-Signature header (hex). */
  signature: string | undefined;
  /** The raw body bytes, exactly as received: re-serialised JSON does not verify. */
  body: string | Buffer;
  /** Oldest (and furthest in the future) timestamp accepted, in seconds; 0 turns the check off. */
  toleranceSeconds?: number;
  /** Now, in unix seconds (for tests). */
  now?: number;
}

export type WebhookVerdict =
  | { ok: true; event: unknown; timestamp: number }
  | {
      ok: false;
      reason: 'missing_headers' | 'bad_timestamp' | 'stale' | 'bad_signature' | 'bad_json';
      message: string;
    };

/** The signature Customer.io sends for a body at a timestamp. */
export function signWebhook(signingKey: string, timestamp: number | string, body: string | Buffer): string {
  return createHmac('sha256', signingKey)
    .update(`v0:${String(timestamp)}:`)
    .update(body)
    .digest('hex');
}

export function verifyWebhook(check: WebhookCheck): WebhookVerdict {
  if (check.timestamp === undefined || check.signature === undefined || check.signature === '') {
    return {
      ok: false,
      reason: 'missing_headers',
      message: 'X-CIO-Timestamp and X-CIO-Signature are both required',
    };
  }
  const timestamp = Number(check.timestamp);
  if (!Number.isInteger(timestamp) || timestamp <= 0) {
    return {
      ok: false,
      reason: 'bad_timestamp',
      message: `X-CIO-Timestamp must be unix seconds, not ${JSON.stringify(String(check.timestamp))}`,
    };
  }
  const expected = Buffer.from(signWebhook(check.signingKey, timestamp, check.body), 'hex');
  const given = /^[0-9a-fA-F]+$/.test(check.signature)
    ? Buffer.from(check.signature, 'hex')
    : Buffer.alloc(0);
  // Constant-time comparison; a length mismatch is a mismatch.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      reason: 'bad_signature',
      message: 'The signature does not match the body and timestamp under this signing key',
    };
  }
  const tolerance = check.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = check.now ?? Math.floor(Date.now() / 1000);
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
      event: JSON.parse(Buffer.isBuffer(check.body) ? check.body.toString('utf8') : check.body) as unknown,
      timestamp,
    };
  } catch {
    return { ok: false, reason: 'bad_json', message: 'The body is signed correctly but is not JSON' };
  }
}

/** For HTTP handlers: reads the two headers (any case) from a Node-style headers object. */
export function verifyWebhookRequest(
  request: { headers: Readonly<Record<string, string | string[] | undefined>>; rawBody: string | Buffer },
  signingKey: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): WebhookVerdict {
  const header = (name: string): string | undefined => {
    const entry = Object.entries(request.headers).find(([key]) => key.toLowerCase() === name);
    const value = entry?.[1];
    return Array.isArray(value) ? value[0] : value;
  };
  return verifyWebhook({
    signingKey,
    timestamp: header('x-cio-timestamp'),
    signature: header('x-cio-signature'),
    body: request.rawBody,
    ...options,
  });
}
