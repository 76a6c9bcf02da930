import { describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { ValidationError } from './errors.js';
import { jsonInputIssues, MAX_JSON_DEPTH } from './json-input.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('jsonInputIssues', () => {
  it('accepts JSON values, shared (non-cyclic) references and the deepest allowed nesting', () => {
    const shared = { x: 1 };
    expect(jsonInputIssues({ a: [1, 'two', null, true, { b: shared }], c: shared, d: '😀' })).toEqual([]);
    expect(jsonInputIssues(nested(MAX_JSON_DEPTH))).toEqual([]);
  });

  it('names each problem with its pointer', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = { back: cyclic };
    expect(jsonInputIssues({ n: 10n })).toEqual([{ path: '/n', message: expect.stringContaining('BigInt') }]);
    expect(jsonInputIssues({ s: ['ok', 'x\ud800'] })[0]?.path).toBe('/s/1');
    expect(jsonInputIssues({ ['k\udc00']: 1 })[0]?.message).toContain('lone surrogate');
    expect(jsonInputIssues({ f: NaN, g: Infinity })).toHaveLength(2);
    expect(jsonInputIssues({ f: () => 1 })[0]?.message).toContain('not a function');
    expect(jsonInputIssues(cyclic)).toEqual([
      { path: '/self/back', message: expect.stringContaining('cycle') },
    ]);
    expect(jsonInputIssues(nested(5_000))[0]?.message).toContain(`more than ${MAX_JSON_DEPTH} levels`);
    expect(jsonInputIssues({ 'a/b': { '~': 1n } })[0]?.path).toBe('/a~1b/~0');
  });

  it('walks 100 000 levels without overflowing the stack', () => {
    const list: unknown[] = [];
    let current = list;
    for (let i = 0; i < 100_000; i++) {
      const next: unknown[] = [];
      current.push(next);
      current = next;
    }
    expect(jsonInputIssues(list)).toHaveLength(1);
  });
});

describe('inputs that used to throw before sending are ValidationErrors', () => {
  const track = createClient({
    connector: 'track',
    baseUrl: 'http://127.0.0.1:9/api',
    credentials: { siteId: 'site', apiKey: 'key' },
  });
  const app = createClient({
    connector: 'app',
    baseUrl: 'http://127.0.0.1:9/v1',
    credentials: { apiKey: 'key' },
  });
  const cases: [string, () => unknown][] = [
    [
      'a lone surrogate in a path parameter',
      () => track.prepare('track.delete_customer', { identifier: 'a\ud800' }),
    ],
    [
      'a lone surrogate in a raw endpoint',
      () => app.prepare('app.raw_http_request', { method: 'GET', endpoint: '/customers/\ud800' }),
    ],
    [
      'a lone surrogate in a query value',
      () =>
        app.prepare('app.raw_http_request', {
          method: 'GET',
          endpoint: '/x',
          query_parameters: { q: '\udfff' },
        }),
    ],
    [
      'a lone surrogate in a spec operation query',
      () => app.prepare('app.list_segments', { 'x\ud800': 1 } as never),
    ],
    [
      'a BigInt in v2 attributes',
      () =>
        track.prepare('track.send_entity', {
          type: 'person',
          action: 'identify',
          identifiers: { id: '1' },
          attributes: { big: 10n },
        }),
    ],
    [
      'JSON nested 5000 deep',
      () =>
        track.prepare('track.send_entity', {
          type: 'person',
          action: 'identify',
          identifiers: { id: '1' },
          attributes: { deep: nested(5_000) },
        }),
    ],
    [
      'NaN in event data',
      () => track.prepare('track.track_custom_event', { identifier: '1', name: 'e', data: { n: NaN } }),
    ],
  ];
  it.each(cases)('%s', (_what, call) => {
    expect(call).toThrow(ValidationError);
  });
});
