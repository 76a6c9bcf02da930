import { describe, expect, it } from 'vitest';
import { createClient } from '../client.js';
import { ValidationError, type ValidationIssue } from '../errors.js';

const app = createClient({
  connector: 'app',
  baseUrl: 'http://127.0.0.1:9/v1',
  credentials: { apiKey: 'key' },
});

function issuesOf(headers: Record<string, string>): readonly ValidationIssue[] {
  try {
    app.prepare('app.raw_http_request', { method: 'GET', endpoint: '/x', headers });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
  return [];
}

describe('raw request headers', () => {
  it.each([
    ['X-Bad Name', 'not an allowed name'],
    ['X-é', 'not an allowed name'],
    ['x:y', 'not an allowed name'],
    ['', 'not an allowed name'],
  ])('refuses the name %j (not an HTTP token)', (name, message) => {
    expect(issuesOf({ [name]: '1' })[0]?.message).toContain(message);
  });

  it.each([
    ['a\u000bb', 'control characters'],
    ['a\u007fb', 'control characters'],
    ['a\u0000b', 'control characters'],
    ['a\r\nb: c', 'control characters'],
    ['smile \u{1F600}', 'must be ASCII'],
    ['caf\u00e9', 'must be ASCII'],
    [' padded', 'start or end'],
    ['padded\t', 'start or end'],
  ])('refuses the value %j', (value, message) => {
    expect(issuesOf({ 'x-a': value })).toEqual([
      { path: '/headers/x-a', message: expect.stringContaining(message) },
    ]);
  });

  it.each([
    'Authorization',
    'Proxy-Authorization',
    'Host',
    'Content-Length',
    'Transfer-Encoding',
    'Connection',
    'Keep-Alive',
    'Upgrade',
    'Expect',
    'TE',
    'Trailer',
    'Proxy-Connection',
    'Forwarded',
    'X-Forwarded-Host',
    'X-Forwarded-For',
    'X-Original-URL',
    'X-Rewrite-URL',
    'X-HTTP-Method-Override',
    'X-HTTP-Method',
    'X-Method-Override',
  ])('refuses %s, in any case', (name) => {
    for (const spelling of [name, name.toLowerCase(), name.toUpperCase()]) {
      const issues = issuesOf({ [spelling]: 'x' });
      expect(issues).toHaveLength(1);
      expect(issues[0]?.message).toMatch(/^cannot be set/);
    }
  });

  it('explains why a method override is refused', () => {
    expect(issuesOf({ 'X-HTTP-Method-Override': 'POST' })[0]?.message).toContain('another method');
  });

  it('sends ordinary headers, with tabs and spaces inside values', () => {
    const prepared = app.prepare('app.raw_http_request', {
      method: 'GET',
      endpoint: '/x',
      headers: { 'X-Trace': 'a b\tc', "x-!#$%&'*+.^_`|~": 'ok' },
    });
    expect(prepared.request.headers['x-trace']).toBe('a b\tc');
    expect(prepared.request.headers["x-!#$%&'*+.^_`|~"]).toBe('ok');
  });

  it('checks a raw content_type as a header value', () => {
    expect(() =>
      app.prepare('app.raw_http_request', {
        method: 'POST',
        endpoint: '/x',
        body_type: 'raw',
        body: 'x',
        content_type: 'text/plain\u000b',
      }),
    ).toThrow(/content_type must not contain control characters/);
  });

  it('keeps query parameters named like Object.prototype members', () => {
    const prepared = app.prepare('app.raw_http_request', {
      method: 'GET',
      endpoint: '/x?__proto__=1',
      query_parameters: JSON.parse('{"constructor":"2"}') as Record<string, string>,
    });
    expect(prepared.request.url).toBe('http://127.0.0.1:9/v1/x?__proto__=1&constructor=2');
  });
});
