import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { closest } from '../closest.js';
import { convert, parseMapping, RowMapper, toUnix } from './mapping.js';

describe('toUnix', () => {
  it('reads unix seconds and ISO 8601 dates, and refuses the rest (milliseconds included)', () => {
    expect(toUnix(1_700_000_000)).toBe(1_700_000_000);
    expect(toUnix('1700000000')).toBe(1_700_000_000);
    expect(toUnix('2024-01-02')).toBe(1_704_153_600);
    expect(toUnix('2024-01-02T03:04:05Z')).toBe(1_704_164_645);
    expect(toUnix('2024-01-02 03:04:05')).toBe(1_704_164_645); // no offset: UTC
    expect(toUnix('2024-01-02T05:04:05+02:00')).toBe(1_704_164_645);
    for (const bad of ['1700000000000', 1_700_000_000_000, 'yesterday', '2024-13-45', -1, 1.5, '', null])
      expect(toUnix(bad)).toBeUndefined();
  });
});

describe('convert', () => {
  it('converts to each type or says it cannot', () => {
    expect(convert(' 42.5 ', 'number')).toEqual({ value: 42.5 });
    expect(convert('4x', 'number')).toBeUndefined();
    expect(convert('YES', 'boolean')).toEqual({ value: true });
    expect(convert('0', 'boolean')).toEqual({ value: false });
    expect(convert('maybe', 'boolean')).toBeUndefined();
    expect(convert('{"a":[1]}', 'json')).toEqual({ value: { a: [1] } });
    expect(convert('{a', 'json')).toBeUndefined();
    expect(convert({ a: 1 }, 'string')).toEqual({ value: '{"a":1}' });
  });
});

describe('parseMapping and RowMapper', () => {
  it('explains every problem of a --map document', () => {
    expect(() => parseMapping([])).toThrow(ValidationError);
    try {
      parseMapping({ a: 3, b: { type: 'date', extra: 1 }, c: { to: '' } });
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.message)).toEqual([
        '"a": give a new name, false to drop it, or { "to", "type" }',
        '"b": unknown field "extra" (to, type, drop)',
        '"b": type must be one of string, number, boolean, timestamp, json, not "date"',
        '"c": "to" must be a non-empty string',
      ]);
    }
  });

  it('picks the identifier (id, else email) and maps CSV fields and NDJSON objects alike', () => {
    const csv = new RowMapper({ kind: 'people' }, ['email', 'plan']);
    expect(csv.identifierColumn).toBe('email');
    expect(csv.identifierType).toBe('email');
    expect(csv.mapFields(['a@example.com', 'pro'])).toEqual({
      entity: {
        type: 'person',
        action: 'identify',
        identifiers: { email: 'a@example.com' },
        attributes: { plan: 'pro' },
      },
    });
    const json = new RowMapper({ kind: 'events', map: { total: { type: 'number' } } }, undefined);
    expect(json.map({ id: 7, name: 'buy', total: '9.5', timestamp: '2024-01-02' })).toEqual({
      entity: {
        type: 'person',
        action: 'event',
        identifiers: { id: '7' },
        name: 'buy',
        timestamp: 1_704_153_600,
        attributes: { total: 9.5 },
      },
      timeMs: 1_704_153_600_000,
    });
    expect(json.map({ name: 'buy' })).toEqual({
      reason: 'no id (the identifier column is empty)',
      field: 'id',
    });
    expect(closest('Emial', ['id', 'Email', 'plan'])).toBe('Email');
  });

  it('NDJSON events are named by "name", else "event", like a CSV header; --name-column names one key only', () => {
    const mapper = new RowMapper({ kind: 'events' }, undefined);
    const entity = (values: Record<string, unknown>) => {
      const mapped = mapper.map(values);
      return 'entity' in mapped ? mapped.entity : mapped;
    };
    expect(entity({ id: '1', event: 'signup' })).toEqual({
      type: 'person',
      action: 'event',
      identifiers: { id: '1' },
      name: 'signup',
    });
    // With both, "name" names it and "event" is an attribute.
    expect(entity({ id: '1', name: 'login', event: 'x' })).toMatchObject({
      name: 'login',
      attributes: { event: 'x' },
    });
    expect(entity({ id: '1' })).toEqual({
      reason: 'no event name (the row has no "name" or "event")',
      field: 'name',
    });
    const named = new RowMapper({ kind: 'events', nameColumn: 'name' }, undefined);
    expect(named.map({ id: '1', event: 'signup' })).toEqual({ reason: 'no event name', field: 'name' });
  });
});
