import { describe, expect, it } from 'vitest';
import { faultProblems, FaultList } from './faults.js';

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

  it('explains what is wrong with a fault', () => {
    expect(faultProblems({ status: 99, times: 0, extra: 1 })).toEqual([
      'unknown field "extra"',
      'status must be an integer from 100 to 599',
      'times must be an integer ≥ 1',
    ]);
    expect(faultProblems({ path: '/x' })).toEqual(['give status, drop, or delay_ms']);
    expect(faultProblems({ status: 429, headers: { 'retry-after': '1' } })).toEqual([]);
  });
});
