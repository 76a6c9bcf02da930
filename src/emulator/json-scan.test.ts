import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scanJson } from './json-scan.js';

const scan = (text: string, max?: number) => scanJson(Buffer.from(text, 'utf8'), max);
const compact = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('scanJson', () => {
  it('caps nesting, counting brackets inside strings as text', () => {
    expect(scan('[[[1]]]', 3).tooDeep).toBe(false);
    expect(scan('[[[[1]]]]', 3).tooDeep).toBe(true);
    expect(scan('{"a":"[[[[[[","b":"\\"[[[["}', 2).tooDeep).toBe(false);
    expect(scan('['.repeat(200_000)).tooDeep).toBe(true);
  });

  it('measures each batch item as sent, without the whitespace between tokens', () => {
    const text =
      '{ "x": [1, 2],\n  "batch" : [ {"a" : 1,  "s":"é \\" ]} ,"} ,\n\t[ 1 , 2 ] , "str" , 12.5e3 , null ] }';
    const parsed = JSON.parse(text) as { batch: unknown[] };
    expect(scan(text).batchItemBytes).toEqual([
      Buffer.byteLength('{"a":1,"s":"é \\" ]} ,"}'),
      Buffer.byteLength('[1,2]'),
      Buffer.byteLength('"str"'),
      Buffer.byteLength('12.5e3'),
      4,
    ]);
    expect(parsed.batch).toHaveLength(5);
    expect(scan(text).compactBytes).toBe(
      Buffer.byteLength(text) - (text.replace(/"(?:[^"\\]|\\.)*"/g, '').match(/[ \t\n\r]/g) ?? []).length,
    );
  });

  it('keeps the last batch key, as JSON.parse does, and only an array as its items', () => {
    expect(scan('{"batch":[{"a":1}],"batch":[1,22,333]}').batchItemBytes).toEqual([1, 2, 3]);
    expect(scan('{"batch":[{"a":1}],"batch":{"b":[1]}}').batchItemBytes).toBeUndefined();
    expect(scan('{"batch":[{"a":1}],"batch":"[1]"}').batchItemBytes).toBeUndefined();
    expect(scan('{"batch":[]}').batchItemBytes).toEqual([]);
    expect(scan('{"other":{"batch":[1]}}').batchItemBytes).toBeUndefined();
    expect(scan('[{"batch":[1]}]').batchItemBytes).toBeUndefined();
    expect(scan('{"b\\u0061tch":[1]}').batchItemBytes).toBeUndefined();
  });

  it('gives the compact size JSON.stringify would give, for any items laid out with any whitespace', () => {
    const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n  ');
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 6 }),
        fc.array(space, { minLength: 20, maxLength: 20 }),
        fc.nat(4),
        (items, spaces, indent) => {
          const ws = (i: number): string => spaces[i % spaces.length] ?? '';
          const body = `${ws(0)}{${ws(1)}"pad"${ws(2)}:${ws(3)}[1]${ws(4)},${ws(5)}"batch"${ws(6)}:${ws(7)}[${items
            .map((item, i) => `${ws(8 + i)}${JSON.stringify(item, null, indent)}${ws(9 + i)}`)
            .join(',')}]${ws(19)}}`;
          const result = scan(body);
          expect(result.tooDeep).toBe(false);
          expect(result.batchItemBytes).toEqual(items.map(compact));
          const parsed = JSON.parse(body) as unknown;
          expect(result.compactBytes).toBe(compact(parsed));
        },
      ),
      { numRuns: 500 },
    );
  });
});
