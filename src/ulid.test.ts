import { describe, expect, it } from 'vitest';
import { ULID_PATTERN } from './operations/track-people.js';
import { ulid, ULID_LENGTH, writeUlid } from './ulid.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('ulid', () => {
  it('encodes the time in the first 10 characters, sortably', () => {
    expect(ulid(0).slice(0, 10)).toBe('0000000000');
    expect(ulid(1469918176385).slice(0, 10)).toBe('01ARYZ6S41'); // the spec's example time
    expect(ulid(2000).slice(0, 10) > ulid(1000).slice(0, 10)).toBe(true);
  });

  it('re-encodes the time prefix whenever the millisecond changes (the cache never serves a stale one)', () => {
    const a = ulid(1469918176385).slice(0, 10);
    const b = ulid(1469918176386).slice(0, 10);
    const c = ulid(1469918176385).slice(0, 10);
    expect(a).toBe('01ARYZ6S41');
    expect(b).toBe('01ARYZ6S42');
    expect(c).toBe(a);
  });

  it('is 26 Crockford characters with fresh randomness each time', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => ulid()));
    expect(ids.size).toBe(5000);
    for (const id of ids) expect(id).toMatch(new RegExp(ULID_PATTERN));
  });

  it('draws every random character from the whole alphabet, evenly (80 random bits, not fewer)', () => {
    const counts = new Map<string, number>();
    const ids = 20_000; // many pool refills
    for (let i = 0; i < ids; i++)
      for (const ch of ulid(0).slice(10)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect([...counts.keys()].sort().join('')).toBe(ALPHABET);
    const expected = (ids * 16) / 32;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.05);
  });

  it('writeUlid puts a fresh id as ASCII bytes into a buffer, leaving its neighbours alone', () => {
    const buffer = Buffer.alloc(ULID_LENGTH * 2 + 2, '#');
    const end = writeUlid(buffer, 1, 1469918176385);
    expect(end).toBe(1 + ULID_LENGTH);
    const second = writeUlid(buffer, end + 1, 1469918176385);
    expect(second).toBe(buffer.length);
    const text = buffer.toString('latin1');
    expect(text[0]).toBe('#');
    expect(text[end]).toBe('#');
    const first = text.slice(1, end);
    const next = text.slice(end + 1);
    for (const id of [first, next]) {
      expect(id).toMatch(new RegExp(ULID_PATTERN));
      expect(id.slice(0, 10)).toBe('01ARYZ6S41');
    }
    expect(first).not.toBe(next);
  });
});
