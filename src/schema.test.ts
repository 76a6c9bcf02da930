import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { closest, schemaIssues } from './schema.js';

const schema = Type.Object(
  {
    name: Type.String(),
    kind: Type.Union([Type.Literal('a'), Type.Literal('b')]),
    nested: Type.Optional(Type.Object({ n: Type.Integer() })),
  },
  { additionalProperties: false },
);

describe('schemaIssues', () => {
  it('lists every problem with its JSON pointer', () => {
    expect(schemaIssues(schema, { nmae: 'x', kind: 'c', nested: { n: 1.5 } })).toEqual([
      { path: '/name', message: 'is required' },
      { path: '/nmae', message: 'is not a known field (did you mean "name"?)' },
      { path: '/kind', message: 'must be one of "a", "b"' },
      { path: '/nested/n', message: 'must be an integer' },
    ]);
    expect(schemaIssues(schema, { name: 'x', kind: 'a' })).toEqual([]);
  });
});

describe('closest', () => {
  it('suggests only likely typos', () => {
    expect(closest('identifer', ['identifier', 'email'])).toBe('identifier');
    expect(closest('zzz', ['identifier', 'email'])).toBeUndefined();
  });
});
