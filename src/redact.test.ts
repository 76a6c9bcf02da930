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

  it('redacts short secrets where they stand alone, without mangling words that contain them', () => {
    const short = Redactor.forCredentials('s1', 'abc');
    expect(short.text('abc')).toBe(REDACTED);
    expect(short.text('key=abc&x=1, "abc" (abc)')).toBe(`key=${REDACTED}&x=1, "${REDACTED}" (${REDACTED})`);
    expect(short.text('abcdef cabc ab_abc abc-1')).toBe('abcdef cabc ab_abc abc-1');
    expect(short.value({ abc: 'abc', other: 'abcd', list: ['x', 'abc'] })).toEqual({
      [REDACTED]: REDACTED,
      other: 'abcd',
      list: ['x', REDACTED],
    });
    expect(redactHeaders({ 'x-echo': 'abc', 'x-other': 'abcd' }, short)).toEqual({
      'x-echo': REDACTED,
      'x-other': 'abcd',
    });
    expect(new Redactor(['a.c']).text('abc a.c')).toBe(`abc ${REDACTED}`);
  });

  it('redacts object keys in bodies, keeping "__proto__" an ordinary key', () => {
    const body = JSON.parse('{"sk_live_abcdef": {"__proto__": {"sk_live_abcdef": 1}}}') as unknown;
    const redacted = redactor.value(body) as Record<string, Record<string, unknown>>;
    expect(JSON.stringify(redacted)).toBe(`{"${REDACTED}":{"__proto__":{"${REDACTED}":1}}}`);
  });

  it('cuts bodies nested deeper than it will walk instead of overflowing the stack', () => {
    let deep: unknown = 'sk_live_abcdef';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(JSON.stringify(redactor.value(deep))).not.toContain('sk_live_abcdef');
  });

  it('keeps only the scheme of Authorization', () => {
    expect(redactHeaders({ Authorization: `Basic ${basic}`, 'x-echo': 'sk_live_abcdef' }, redactor)).toEqual({
      Authorization: `Basic ${REDACTED}`,
      'x-echo': REDACTED,
    });
  });
});
