import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
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
});
