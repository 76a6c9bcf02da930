import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { buildUrl, queryString } from './url.js';

describe('buildUrl', () => {
  it('joins base, path and query', () => {
    expect(buildUrl('https://api.customer.io/v1', '/customers', { email: 'a+b@c.d', id_type: 'email' })).toBe(
      'https://api.customer.io/v1/customers?email=a%2Bb%40c.d&id_type=email',
    );
    expect(buildUrl('http://127.0.0.1:4010/v1/api', '/segments', {})).toBe(
      'http://127.0.0.1:4010/v1/api/segments',
    );
  });

  it('refuses any path the URL parser would move out of, or normalise under, the base', () => {
    for (const path of ['//evil.example/x', 'x', '/../x', '/a/%2e%2e/b', '/./a']) {
      expect(() => buildUrl('https://track.customer.io/api', path, {})).toThrow(ValidationError);
    }
  });

  it('repeats array query parameters and encodes spaces as %20', () => {
    expect(queryString({ a: [1, 'x y'], b: true })).toBe('a=1&a=x%20y&b=true');
  });
});
