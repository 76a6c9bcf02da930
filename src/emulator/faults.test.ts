import { describe, expect, it } from 'vitest';
import { faultProblems, FaultList, globMatches, type FaultSpec } from './faults.js';

describe('FaultList', () => {
  it('matches method and path (with * wildcards) and counts down', () => {
    const faults = new FaultList();
    faults.add({ method: 'put', path: '/api/v1/customers/*', status: 503, times: 2 });
    expect(faults.take('GET', '/api/v1/customers/1')).toBeUndefined();
    expect(faults.take('PUT', '/api/v1/customers/1')?.status).toBe(503);
    expect(faults.take('PUT', '/api/v1/customers/2/devices')?.status).toBe(503);
    expect(faults.take('PUT', '/api/v1/customers/3')).toBeUndefined();
    expect(faults.list()).toEqual([]);
  });

  it('fires a probabilistic fault on its share of matching requests, unlimited unless times is given', () => {
    const rolls = [0.5, 0.05, 0.2, 0.01, 0.09, 0.99];
    const faults = new FaultList(() => rolls.shift() ?? 1);
    faults.add({ path: '/api/v2/batch', status: 503, probability: 0.1 });
    const fired = Array.from({ length: 6 }, () => faults.take('POST', '/api/v2/batch')?.status);
    expect(fired).toEqual([undefined, 503, undefined, 503, 503, undefined]);
    expect(faults.list()).toHaveLength(1); // still armed
    expect(faults.list()[0]?.remaining).toBeNull();
    // A request it lets pass goes on to the next fault; with times, it counts its firings.
    const chained = new FaultList(() => 0.5);
    chained.add({ status: 429, probability: 0.4 });
    chained.add({ status: 500, probability: 0.6, times: 1 });
    expect(chained.take('POST', '/x')?.status).toBe(500);
    expect(chained.take('POST', '/x')).toBeUndefined();
    // Real chance: about 10% of 20 000.
    const real = new FaultList();
    real.add({ status: 503, probability: 0.1 });
    let count = 0;
    for (let i = 0; i < 20_000; i++) if (real.take('GET', '/') !== undefined) count++;
    expect(count).toBeGreaterThan(1_700);
    expect(count).toBeLessThan(2_300);
    expect(faultProblems({ status: 503, probability: 0 })).toEqual([
      'probability must be a number above 0 and at most 1',
    ]);
    expect(faultProblems({ status: 503, probability: 1.5 })).toHaveLength(1);
  });

  it('explains what is wrong with a fault', () => {
    expect(faultProblems({ status: 99, times: 0, extra: 1 })).toEqual([
      'unknown field "extra"',
      'status must be an integer from 200 to 599 (1xx are not final answers)',
      'times must be an integer ≥ 1',
    ]);
    expect(faultProblems({ path: '/x' })).toEqual(['give status, drop, or delay_ms']);
    expect(faultProblems({ status: 429, headers: { 'retry-after': '1' } })).toEqual([]);
  });

  it('refuses what Node cannot answer with: bad header names and values, 1xx, a body on 204/304', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ status: 500, headers: { 'bad name': 'x' } }, 'header "bad name" is not a valid header name'],
      [
        { status: 500, headers: { 'x-a': 'one\r\nx-b: two' } },
        'header "x-a" must not contain control characters',
      ],
      [{ status: 500, headers: { 'x-a': 'é' } }, 'header "x-a" must be ASCII'],
      [{ status: 500, headers: { '': 'x' } }, 'header "" is not a valid header name'],
      [{ status: 100 }, 'status must be an integer from 200 to 599'],
      [{ status: 101 }, 'status must be an integer from 200 to 599'],
      [{ status: 103 }, 'status must be an integer from 200 to 599'],
      [{ status: 304, body: { a: 1 } }, 'a 304 answer cannot have a body'],
      [{ status: 204, body: 'x' }, 'a 204 answer cannot have a body'],
    ];
    for (const [spec, message] of cases) {
      expect(faultProblems(spec).join('; ')).toContain(message);
      expect(() => new FaultList().add(spec as FaultSpec)).toThrow(message);
    }
    expect(faultProblems({ status: 304 })).toEqual([]);
    expect(faultProblems({ status: 200, headers: { 'x-ok': 'a b\tc' } })).toEqual([]);
  });
});

describe('globMatches', () => {
  it('matches * as any run of characters, anchored at both ends', () => {
    const cases: [string, string, boolean][] = [
      ['/v1/send/email', '/v1/send/email', true],
      ['/v1/send/email', '/v1/send/emails', false],
      ['/v1/*', '/v1/', true],
      ['/v1/*', '/v1/a/b', true],
      ['/v1/*', '/v2/a', false],
      ['*', '', true],
      ['*/events', '/api/v1/customers/1/events', true],
      ['/a*b*c', '/abc', true],
      ['/a*b*c', '/acb', false],
      ['/a*ab', '/aab', true],
      ['/a*aa', '/aa', false],
      ['/x*y*x', '/xyx', true],
      ['/x*y*x', '/xy', false],
      ['**', 'anything', true],
      ['/api/*/customers/*/devices', '/api/v1/customers/1/devices', true],
      ['/api/*/customers/*/devices', '/api/v1/customers/1/events', false],
    ];
    for (const [pattern, text, expected] of cases)
      expect(globMatches(pattern, text), `${pattern} ~ ${text}`).toBe(expected);
  });

  it('takes linear time on patterns that make a backtracking matcher explode', () => {
    const started = performance.now();
    expect(globMatches(`/v1/${'*'.repeat(10)}x`, `/v1/${'a'.repeat(100_000)}`)).toBe(false);
    expect(globMatches(`/${'*a'.repeat(50)}x`, `/${'a'.repeat(100_000)}`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
