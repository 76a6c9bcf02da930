import { describe, expect, it } from 'vitest';
import { readCookie } from './session-auth.js';

describe('readCookie', () => {
  it('reads a cookie among others, unquoted, whitespace trimmed', () => {
    expect(readCookie('a=1; cioc_session=abc ;b=2', 'cioc_session')).toBe('abc');
    expect(readCookie('cioc_session="q"', 'cioc_session')).toBe('q');
    expect(readCookie('other=1', 'cioc_session')).toBeUndefined();
    expect(readCookie(undefined, 'cioc_session')).toBeUndefined();
  });

  it('believes neither of two cookies of the name (one may be planted by another site on the host)', () => {
    expect(readCookie('cioc_session=planted; cioc_session=mine', 'cioc_session')).toBeUndefined();
  });
});
