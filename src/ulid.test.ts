import { describe, expect, it } from 'vitest';
import { ULID_PATTERN } from './operations/track-people.js';
import { ulid } from './ulid.js';

describe('ulid', () => {
  it('encodes the time in the first 10 characters, sortably', () => {
    expect(ulid(0).slice(0, 10)).toBe('0000000000');
    expect(ulid(1469918176385).slice(0, 10)).toBe('01ARYZ6S41'); // the spec's example time
    expect(ulid(2000).slice(0, 10) > ulid(1000).slice(0, 10)).toBe(true);
  });

  it('is 26 Crockford characters with fresh randomness each time', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => ulid()));
    expect(ids.size).toBe(5000);
    for (const id of ids) expect(id).toMatch(new RegExp(ULID_PATTERN));
  });
});
