import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { signWebhook, verifyWebhook, verifyWebhookRequest } from './verify.js';

const KEY = 'whsec_test_signing_key';
const BODY =
  '{"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","object_type":"email","metric":"opened","timestamp":1700000000,"data":{"delivery_id":"d1"}}';
const TS = 1_700_000_000;

/** An independent implementation of the same HMAC: openssl. */
function opensslSignature(key: string, timestamp: number, body: string): string {
  const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', key], {
    input: `v0:${String(timestamp)}:${body}`,
  }).toString();
  return out.trim().split(' ').at(-1) ?? '';
}

describe('reporting webhook verification', () => {
  it('signs as openssl does: hex HMAC-SHA256 of "v0:<timestamp>:<raw body>"', () => {
    expect(signWebhook(KEY, TS, BODY)).toBe(opensslSignature(KEY, TS, BODY));
  });

  it('accepts a genuine request and returns the parsed event', () => {
    const signature = opensslSignature(KEY, TS, BODY);
    const verdict = verifyWebhookRequest(
      {
        headers: { 'X-CIO-Timestamp': String(TS), 'X-CIO-Signature': signature },
        rawBody: Buffer.from(BODY),
      },
      KEY,
      { now: TS + 10 },
    );
    expect(verdict).toMatchObject({
      ok: true,
      timestamp: TS,
      event: { metric: 'opened', data: { delivery_id: 'd1' } },
    });
  });

  it('refuses tampering, wrong keys, re-serialised bodies, replays and missing headers', () => {
    const signature = signWebhook(KEY, TS, BODY);
    const base = { signingKey: KEY, timestamp: TS, signature, body: BODY, now: TS };
    expect(verifyWebhook({ ...base, body: BODY.replace('opened', 'clicked') })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ ...base, signingKey: 'other' })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ ...base, body: JSON.stringify(JSON.parse(BODY), null, 2) })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ ...base, timestamp: TS + 1 })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ ...base, signature: signature.slice(0, 10) })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhook({ ...base, signature: 'zz' })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook({ ...base, now: TS + 301 })).toMatchObject({ ok: false, reason: 'stale' });
    expect(verifyWebhook({ ...base, now: TS + 3600, toleranceSeconds: 0 })).toMatchObject({ ok: true });
    expect(verifyWebhook({ ...base, signature: undefined })).toMatchObject({
      ok: false,
      reason: 'missing_headers',
    });
    expect(verifyWebhook({ ...base, timestamp: 'yesterday' })).toMatchObject({
      ok: false,
      reason: 'bad_timestamp',
    });
    const notJson = 'plain text';
    expect(verifyWebhook({ ...base, body: notJson, signature: signWebhook(KEY, TS, notJson) })).toMatchObject(
      { ok: false, reason: 'bad_json' },
    );
  });

  it('an empty or unset signing key is a ConfigError, never a verdict', () => {
    const forged = { timestamp: TS, signature: signWebhook('x', TS, BODY), body: BODY, now: TS };
    for (const signingKey of ['', undefined, null, 42]) {
      expect(() => verifyWebhook({ ...forged, signingKey: signingKey as unknown as string })).toThrow(
        ConfigError,
      );
      expect(() =>
        verifyWebhookRequest(
          { headers: { 'x-cio-timestamp': String(TS), 'x-cio-signature': forged.signature }, rawBody: BODY },
          signingKey as unknown as string,
        ),
      ).toThrow(ConfigError);
    }
    expect(() => signWebhook('', TS, BODY)).toThrow(ConfigError);
  });

  it('refuses signatures that are not exactly 64 hex digits', () => {
    const signature = signWebhook(KEY, TS, BODY);
    const base = { signingKey: KEY, timestamp: TS, body: BODY, now: TS };
    expect(verifyWebhook({ ...base, signature })).toMatchObject({ ok: true });
    expect(verifyWebhook({ ...base, signature: signature.toUpperCase() })).toMatchObject({ ok: true });
    for (const bad of [
      `${signature}0`,
      `${signature}00`,
      signature.slice(0, 63),
      ` ${signature}`,
      `${signature.slice(0, 62)}zz`,
    ]) {
      expect(verifyWebhook({ ...base, signature: bad })).toMatchObject({
        ok: false,
        reason: 'bad_signature',
      });
    }
  });

  it('verifies the timestamp exactly as sent, digits only', () => {
    const base = { signingKey: KEY, body: BODY, now: TS };
    for (const timestamp of [
      ' 1700000000',
      '1700000000 ',
      '1.7e9',
      '0x6553F100',
      '+1700000000',
      '-1',
      '1700000000.0',
      '',
    ]) {
      // Even signed by the sender exactly so, these are not unix seconds as Customer.io sends them.
      expect(
        verifyWebhook({ ...base, timestamp, signature: signWebhook(KEY, timestamp, BODY) }),
      ).toMatchObject({
        ok: false,
        reason: 'bad_timestamp',
      });
    }
    // Leading zeros verify when that is what was signed, and only then.
    const padded = '01700000000';
    expect(
      verifyWebhook({ ...base, timestamp: padded, signature: signWebhook(KEY, padded, BODY) }),
    ).toMatchObject({
      ok: true,
      timestamp: TS,
    });
    expect(
      verifyWebhook({ ...base, timestamp: padded, signature: signWebhook(KEY, TS, BODY) }),
    ).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('a negative or NaN tolerance is a ConfigError, not "off"', () => {
    const base = {
      signingKey: KEY,
      timestamp: TS,
      signature: signWebhook(KEY, TS, BODY),
      body: BODY,
      now: TS + 3600,
    };
    for (const toleranceSeconds of [-1, NaN, Infinity, '300' as unknown as number]) {
      expect(() => verifyWebhook({ ...base, toleranceSeconds })).toThrow(ConfigError);
    }
    expect(verifyWebhook({ ...base, toleranceSeconds: 0 })).toMatchObject({ ok: true });
  });

  it('a body that is not raw bytes gets a verdict, not an exception', () => {
    const signature = signWebhook(KEY, TS, BODY);
    for (const body of [JSON.parse(BODY) as unknown, null, 42]) {
      expect(
        verifyWebhook({ signingKey: KEY, timestamp: TS, signature, body: body as string, now: TS }),
      ).toMatchObject({ ok: false, reason: 'bad_body' });
    }
    expect(
      verifyWebhook({
        signingKey: KEY,
        timestamp: TS,
        signature,
        body: new Uint8Array(Buffer.from(BODY)),
        now: TS,
      }),
    ).toMatchObject({ ok: true });
  });

  it('a now that is not a finite number is a ConfigError, not "replay check off"', () => {
    const signature = signWebhook(KEY, TS, BODY);
    const base = { signingKey: KEY, timestamp: TS, signature, body: BODY };
    for (const now of [
      NaN,
      Infinity,
      -Infinity,
      String(TS) as unknown as number,
      null as unknown as number,
    ]) {
      expect(() => verifyWebhook({ ...base, now })).toThrow(ConfigError);
      expect(() =>
        verifyWebhookRequest(
          { headers: { 'x-cio-timestamp': String(TS), 'x-cio-signature': signature }, rawBody: BODY },
          KEY,
          { now },
        ),
      ).toThrow(ConfigError);
    }
    expect(verifyWebhook({ ...base, now: TS })).toMatchObject({ ok: true });
  });

  it('a request without headers gets a missing_headers verdict, not a TypeError', () => {
    for (const headers of [undefined, null, 'x-cio-timestamp: 1']) {
      const request = { headers, rawBody: BODY } as unknown as Parameters<typeof verifyWebhookRequest>[0];
      expect(verifyWebhookRequest(request, KEY, { now: TS })).toMatchObject({
        ok: false,
        reason: 'missing_headers',
      });
    }
  });
});
