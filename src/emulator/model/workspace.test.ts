import { describe, expect, it } from 'vitest';
import { EmulatorHttpError } from './errors.js';
import { EmulatorState, identifierKind } from './workspace.js';

const fresh = (): EmulatorState => new EmulatorState();

describe('identifierKind', () => {
  it('infers the kind from the shape of the value', () => {
    expect(identifierKind('cio_03000001')).toEqual({ kind: 'cio_id', value: '03000001' });
    expect(identifierKind('ada@example.com')).toEqual({ kind: 'email', value: 'ada@example.com' });
    expect(identifierKind('+15551234567')).toEqual({ kind: 'id', value: '+15551234567' });
  });
});

describe('identify', () => {
  it('stores attributes as strings with timestamps, and removes on null or ""', () => {
    const state = fresh();
    state.identify('1', { email: 'a@example.com', n: 3, ok: true, _timestamp: 1700000000 });
    const [person] = state.people;
    expect(person).toMatchObject({
      cio_id: '03000001',
      id: '1',
      email: 'a@example.com',
      attributes: { id: '1', email: 'a@example.com', n: '3', ok: 'true' },
    });
    expect(person?.timestamps['n']).toBe(1700000000);
    state.identify('1', { n: null, ok: '' });
    expect(state.people[0]?.attributes).toEqual({ id: '1', email: 'a@example.com' });
  });

  it('matches emails case-insensitively and gives an unknown path id to the body match', () => {
    const state = fresh();
    state.identify('Ada@Example.com', { plan: 'a' });
    state.identify('42', { email: 'ada@example.com', plan: 'b' });
    expect(state.people).toHaveLength(1);
    expect(state.people[0]).toMatchObject({ id: '42', attributes: { plan: 'b' } });
  });

  it('changes id and email through a cio_ identifier, and drops an unknown cio_id', () => {
    const state = fresh();
    state.identify('1', {});
    state.identify('cio_03000001', { id: '2', email: 'new@example.com' });
    expect(state.people[0]).toMatchObject({ id: '2', email: 'new@example.com' });
    state.identify('cio_ffffffff', { plan: 'x' });
    expect(state.people).toHaveLength(1);
  });

  it('leaves both people alone when path and body identifiers belong to different people', () => {
    const state = fresh();
    state.identify('1', { email: 'one@example.com' });
    state.identify('2', { email: 'two@example.com' });
    state.identify('1', { email: 'two@example.com', plan: 'x' });
    expect(state.people.map((p) => [p.id, p.email, p.attributes['plan']])).toEqual([
      ['1', 'one@example.com', undefined],
      ['2', 'two@example.com', undefined],
    ]);
  });

  it('never creates with _update', () => {
    const state = fresh();
    state.identify('1', { _update: true, plan: 'x' });
    expect(state.people).toEqual([]);
  });

  it('enforces the Track size limits with 400 {meta:{errors}}', () => {
    const state = fresh();
    const attempt = (fn: () => void): unknown => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const long = attempt(() => {
      state.identify('x'.repeat(151), {});
    });
    expect(long).toBeInstanceOf(EmulatorHttpError);
    expect((long as EmulatorHttpError).body).toEqual({
      meta: { errors: ['identifier must be at most 150 bytes'] },
    });
    const value = attempt(() => {
      state.identify('1', { big: 'é'.repeat(501) });
    });
    expect((value as EmulatorHttpError).status).toBe(400);
    const name = attempt(() => {
      state.trackEvent('1', { name: 'n'.repeat(101) });
    });
    expect((name as EmulatorHttpError).body).toEqual({
      meta: { errors: ['name must be at most 100 bytes'] },
    });
    const data = attempt(() => {
      state.trackEvent('1', { name: 'n', data: { blob: 'x'.repeat(100_001) } });
    });
    expect((data as EmulatorHttpError).status).toBe(400);
  });
});

describe('segments, merge and suppression', () => {
  it('adds and removes manual segment members by id, email or cio_id, ignoring unknown ids', () => {
    const state = fresh();
    state.identify('1', { email: 'a@example.com' });
    state.identify('2', {});
    state.changeSegment(5, { ids: ['1', 'nobody'] }, undefined, true);
    state.changeSegment(5, { ids: ['cio_03000002'] }, 'cio_id', true);
    expect([...(state.segments.get(5) ?? [])]).toEqual(['03000001', '03000002']);
    state.changeSegment(5, { ids: ['a@example.com'] }, 'email', false);
    expect([...(state.segments.get(5) ?? [])]).toEqual(['03000002']);
    expect(() => {
      state.changeSegment(5, { ids: Array.from({ length: 1001 }, (_, i) => String(i)) }, undefined, true);
    }).toThrow(EmulatorHttpError);
  });

  it('merges secondary into primary, keeping the primary’s values', () => {
    const state = fresh();
    state.identify('p', { plan: 'primary' });
    state.identify('s', { plan: 'secondary', extra: 'yes', email: 's@example.com' });
    state.merge({ primary: { id: 'p' }, secondary: { email: 's@example.com' } });
    expect(state.people).toHaveLength(1);
    expect(state.people[0]?.attributes).toMatchObject({
      plan: 'primary',
      extra: 'yes',
      email: 's@example.com',
    });
    expect(() => {
      state.merge({ primary: { id: 'p', email: 'x' }, secondary: { id: 's' } });
    }).toThrow(EmulatorHttpError);
  });

  it('finds people by id, email and cio_id through every change (indexes kept in sync), and imports 100k in linear time', () => {
    const state = fresh();
    state.identify('1', { email: 'One@Example.com' });
    state.identify('2', {});
    const one = state.findByPathIdentifier('1');
    expect(state.findByPathIdentifier('one@example.com')).toBe(one);
    expect(state.findByPathIdentifier(`cio_${one?.cio_id ?? ''}`)).toBe(one);
    // A new email and id through the cio_id: the old ones no longer find them.
    state.identify(`cio_${one?.cio_id ?? ''}`, { email: 'uno@example.com', id: '1b' });
    expect(state.findByPathIdentifier('uno@example.com')).toBe(one);
    expect(state.findByPathIdentifier('1b')).toBe(one);
    expect(state.findByPathIdentifier('one@example.com')).toBeUndefined();
    expect(state.findByPathIdentifier('1')).toBeUndefined();
    // A merge moves the secondary's email to a primary without one, and forgets the secondary.
    state.identify('3', { email: 'three@example.com' });
    state.merge({ primary: { id: '2' }, secondary: { id: '3' } });
    expect(state.findByPathIdentifier('three@example.com')?.id).toBe('2');
    expect(state.findByPathIdentifier('3')).toBeUndefined();
    // Delete, suppress and unsuppress.
    state.deletePerson('1b');
    expect(state.findByPathIdentifier('uno@example.com')).toBeUndefined();
    state.suppress('2');
    expect(state.findByPathIdentifier('three@example.com')?.suppressed).toBe(true);
    state.unsuppress('2');
    expect(state.findByPathIdentifier('2')).toBeUndefined();
    state.identify('2', {});
    expect(state.people.map((p) => p.id)).toEqual(['2']);
    state.reset();
    expect(state.findByPathIdentifier('2')).toBeUndefined();

    // 100,000 new people: a scan per lookup would take minutes (5·10⁹ comparisons), an index well under 10 s.
    const started = Date.now();
    for (let i = 0; i < 100_000; i++) state.identify(String(i), { email: `p${String(i)}@example.com` });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(state.people).toHaveLength(100_000);
    expect(state.findByPathIdentifier('p99999@example.com')?.id).toBe('99999');
  });

  it('dedupes events on their id', () => {
    const state = fresh();
    state.trackEvent('1', { name: 'e', id: 'A' });
    state.trackEvent('1', { name: 'e', id: 'A' });
    state.trackEvent(null, { name: 'e', id: 'A', anonymous_id: 'x' });
    state.trackEvent('1', { name: ' spaced ' });
    expect(state.events.map((e) => [e.id, e.name])).toEqual([
      ['A', 'e'],
      [null, 'spaced'],
    ]);
  });
});
