import { describe, expect, it } from 'vitest';
import { createClient } from './client.js';
import { ValidationError } from './errors.js';
import fc from 'fast-check';
import {
  isSendableJson,
  isSendableShape,
  jsonInputIssues,
  MAX_JSON_DEPTH,
  mayHoldLoneSurrogate,
} from './json-input.js';

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

describe('isSendableJson (the fast check the hot paths run first)', () => {
  it('says yes exactly when jsonInputIssues finds nothing', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = { back: cyclic };
    const shared = { x: 1 };
    const inherited = Object.create({ fromProto: NaN }) as Record<string, unknown>;
    inherited['own'] = 1;
    const cases: unknown[] = [
      { a: [1, 'two', null, true, { b: shared }], c: shared, d: '😀' },
      nested(MAX_JSON_DEPTH),
      nested(MAX_JSON_DEPTH + 1),
      { n: 10n },
      { s: ['ok', 'x\ud800'] },
      { ['k\udc00']: 1 },
      { f: NaN },
      [Infinity],
      { f: () => 1 },
      { s: Symbol('s') },
      cyclic,
      { u: undefined, list: [undefined, , 1] }, // eslint-disable-line no-sparse-arrays
      new Date(0),
      'x\udbff',
      -0,
    ];
    for (const value of cases) expect(isSendableJson(value)).toBe(jsonInputIssues(value).length === 0);
    // An enumerable inherited member is not sent, but the fast walk looks at it too: it may say
    // "no" where the exact walk (which then runs) finds nothing; never "yes" where it finds a problem.
    expect(isSendableJson(inherited)).toBe(false);
    expect(jsonInputIssues(inherited)).toEqual([]);
  });

  it('agrees with jsonInputIssues on arbitrary values', () => {
    const special = fc.constantFrom<unknown>(NaN, -Infinity, 1n, '\ud800', 'a\udfffb', () => 0, undefined);
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, fc.jsonValue(), special, tie('list'), tie('record')),
      list: fc.array(tie('any'), { maxLength: 4 }),
      record: fc.dictionary(fc.oneof(fc.string(), fc.constant('\udc00')), tie('any'), { maxKeys: 4 }),
    })).any;
    fc.assert(
      fc.property(value, (v) => isSendableJson(v) === (jsonInputIssues(v).length === 0)),
      { numRuns: 2000 },
    );
    // The batch builder's split check: the shape walk, then strings on the encoding. Whenever it
    // lets a value through without the exact walk, what is sent is clean (the exact walk may still
    // flag the key of a member JSON leaves out, such as `{"\udc00": undefined}`: never sent).
    fc.assert(
      fc.property(value, (v) => {
        if (!isSendableShape(v)) return true;
        const json = JSON.stringify(v) as string | undefined;
        if (json === undefined || mayHoldLoneSurrogate(json)) return true;
        return jsonInputIssues(JSON.parse(json)).length === 0;
      }),
      { numRuns: 2000 },
    );
    expect(mayHoldLoneSurrogate(JSON.stringify({ ['k\udc00']: 1 }))).toBe(true);
    expect(mayHoldLoneSurrogate(JSON.stringify({ s: 'x\ud800' }))).toBe(true);
    expect(mayHoldLoneSurrogate(JSON.stringify({ s: '😀', k: 'ud' }))).toBe(false);
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
