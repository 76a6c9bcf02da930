import { describe, expect, it } from 'vitest';
import { ULID_PATTERN } from '../operations/track-people.js';
import { EventIds, mix32 } from './event-id.js';

describe('EventIds', () => {
  it('gives each row of an import its own valid ULID, the same on every run', () => {
    const a = new EventIds('file-a|events');
    const ids = new Set<string>();
    for (let row = 1; row <= 100_000; row++) ids.add(a.idFor(row, 1_700_000_000_000));
    expect(ids.size).toBe(100_000);
    const pattern = new RegExp(ULID_PATTERN);
    for (const id of [...ids].slice(0, 1000)) expect(id).toMatch(pattern);
    expect(new EventIds('file-a|events').idFor(42, 1_700_000_000_000)).toBe(a.idFor(42, 1_700_000_000_000));
    // Another file (or other options) gives other ids; the time part is the row's time.
    expect(new EventIds('file-b|events').idFor(42, 1_700_000_000_000)).not.toBe(
      a.idFor(42, 1_700_000_000_000),
    );
    expect(a.idFor(42, 1_700_000_000_000).slice(0, 10)).toBe('01HF7YAT00'); // as ulid(1_700_000_000_000) encodes it;
    expect(a.idFor(42, 0).slice(0, 10)).toBe('0000000000');
    expect(a.idFor(42, 1_700_000_000_000).slice(10)).toBe(a.idFor(42, 5).slice(10));
  });

  it('mixes row numbers by a bijection (no two rows collide)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 200_000; i++) seen.add(mix32(i));
    expect(seen.size).toBe(200_000);
    expect(mix32(0xffffffff)).toBeLessThanOrEqual(0xffffffff);
  });
});
