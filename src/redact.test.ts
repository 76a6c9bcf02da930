import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor, redactHeaders } from './redact.js';

describe('Redactor', () => {
  const redactor = Redactor.forCredentials('site-1', 'sk_live_abcdef');
  const basic = Buffer.from('site-1:sk_live_abcdef').toString('base64');

  it('removes keys in plain, URL-encoded, base64 and Basic forms', () => {
    expect(redactor.text('key sk_live_abcdef here')).toBe(`key ${REDACTED} here`);
    expect(redactor.text(`Basic ${basic}`)).toBe(`Basic ${REDACTED}`);
    expect(new Redactor(['a/b c+d']).text('x=a%2Fb%20c%2Bd')).toBe(`x=${REDACTED}`);
    expect(redactor.value({ a: ['sk_live_abcdef', 1], b: { c: 'ok' } })).toEqual({
      a: [REDACTED, 1],
      b: { c: 'ok' },
    });
  });

  it('leaves short values alone instead of mangling ordinary text', () => {
    expect(new Redactor(['abc']).text('abc')).toBe('abc');
  });

  it('keeps only the scheme of Authorization', () => {
    expect(redactHeaders({ Authorization: `Basic ${basic}`, 'x-echo': 'sk_live_abcdef' }, redactor)).toEqual({
      Authorization: `Basic ${REDACTED}`,
      'x-echo': REDACTED,
    });
  });
});
