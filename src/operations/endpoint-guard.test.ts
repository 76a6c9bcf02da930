import { describe, expect, it } from 'vitest';
import { checkEndpoint } from './endpoint-guard.js';

const refused = (endpoint: string): string | undefined => {
  const result = checkEndpoint(endpoint);
  return 'issues' in result ? result.issues[0]?.message : undefined;
};

describe('checkEndpoint', () => {
  it.each([
    ['https://evil.example/x', 'not an absolute URL'],
    ['javascript:alert(1)', 'not an absolute URL'],
    ['customers/1', 'must start with "/"'],
    ['//evil.example', 'names another host'],
    ['/a\\b', 'backslash'],
    ['/a/../b', '".." segments'],
    ['/a/..', '".." segments'],
    ['/./a', '".." segments'],
    ['/a/%2E%2e/b', '".." segments'],
    ['/a/%2e/b', '".." segments'],
    ['/a/.%2E', '".." segments'],
    ['/a%2f..%2fb', 'encoded "/"'],
    ['/a%5cb', 'encoded "/"'],
    ['/a\nb', 'control characters'],
    ['/a\rb', 'control characters'],
    ['/a%0D%0Ab', 'encoded control characters'],
    ['/a/..;/b', '".." segments'],
    ['/a/..;jsessionid=1/b', '".." segments'],
    ['/a/.;x', '".." segments'],
    ['/a/%2e%2e;/b', '".." segments'],
    ['/a/..%20/b', '".." segments'],
    ['/a/.. /b', '".." segments'],
    ['/a/..%09/b', 'encoded control characters'],
    ['/a/..%00/b', 'encoded control characters'],
    ['/a%00b', 'encoded control characters'],
    ['/a?x=%00', 'encoded control characters'],
    ['/a%7Fb', 'encoded control characters'],
    ['/a/\ud800', 'lone surrogate'],
    ['/a?x=\udfff', 'lone surrogate'],
    ['/a#b', 'fragment'],
    ['/a%zzb', 'not a valid percent-encoding'],
  ])('refuses %j', (endpoint, reason) => {
    expect(refused(endpoint)).toContain(reason);
  });

  it('keeps legitimate paths, encoding what must be encoded', () => {
    expect(checkEndpoint('/customers/ada@example.com/attributes')).toEqual({
      path: '/customers/ada@example.com/attributes',
      query: [],
    });
    expect(checkEndpoint('/customers/a b/é')).toEqual({ path: '/customers/a%20b/%C3%A9', query: [] });
    expect(checkEndpoint('/customers/a%20b')).toEqual({ path: '/customers/a%20b', query: [] });
    expect(checkEndpoint('/v1/a..b/.well')).toEqual({ path: '/v1/a..b/.well', query: [] });
    expect(checkEndpoint('/customers?email=a%40b.c&x=1+2&flag')).toEqual({
      path: '/customers',
      query: [
        ['email', 'a@b.c'],
        ['x', '1 2'],
        ['flag', ''],
      ],
    });
  });
});
