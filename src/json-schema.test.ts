import { describe, expect, expectTypeOf, it } from 'vitest';
import { Type, type Static } from './json-schema.js';
import { schemaIssues } from './schema.js';

/** Own keys only, in order, as `JSON.stringify` writes them: the schema is plain JSON. */
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('Type', () => {
  it('writes plain JSON Schema, keyword for keyword what TypeBox wrote', () => {
    expect(json(Type.String({ minLength: 1, description: 'd' }))).toEqual({
      minLength: 1,
      description: 'd',
      type: 'string',
    });
    expect(Type.Unknown({ description: 'u' })).toEqual({ description: 'u' });
    expect(Type.Literal('a')).toEqual({ const: 'a', type: 'string' });
    expect(Type.Literal(3)).toEqual({ const: 3, type: 'number' });
    expect(Type.Union([Type.String(), Type.Null()], { description: 'u' })).toEqual({
      description: 'u',
      anyOf: [{ type: 'string' }, { type: 'null' }],
    });
    expect(Type.Array(Type.String(), { minItems: 1 })).toEqual({
      minItems: 1,
      type: 'array',
      items: { type: 'string' },
    });
    expect(Type.Record(Type.String(), Type.Unknown())).toEqual({
      type: 'object',
      patternProperties: { '^(.*)$': {} },
    });
    expect(Type.Record(Type.String({ pattern: '^topic_[0-9]+$' }), Type.Boolean())).toEqual({
      type: 'object',
      patternProperties: { '^topic_[0-9]+$': { type: 'boolean' } },
    });
    // Every value is an ordinary object: no symbols, nothing but JSON.
    const object = Type.Object({ a: Type.String(), b: Type.Optional(Type.Integer()) });
    expect(Object.getOwnPropertySymbols(object)).toEqual([]);
    expect(Object.getOwnPropertySymbols(object.properties.b)).toEqual([]);
  });

  it('lists the properties not made optional as required, in their order', () => {
    const schema = Type.Object(
      { a: Type.String(), b: Type.Optional(Type.Integer()), c: Type.Boolean() },
      { additionalProperties: false },
    );
    expect(JSON.stringify(schema)).toBe(
      '{"additionalProperties":false,"type":"object","required":["a","c"],"properties":{"a":{"type":"string"},"b":{"type":"integer"},"c":{"type":"boolean"}}}',
    );
    expect(Type.Object({ b: Type.Optional(Type.Integer()) })).toEqual({
      type: 'object',
      properties: { b: { type: 'integer' } },
    });
  });

  it('makes a copy optional: the same schema stays required where it is used as it is', () => {
    const Name = Type.String({ minLength: 1 });
    const optional = Type.Object({ name: Type.Optional(Name) });
    const required = Type.Object({ name: Name });
    expect(optional.required).toBeUndefined();
    expect(required.required).toEqual(['name']);
  });

  it('intersects, omits and recurses as TypeBox did', () => {
    const A = Type.Object({ a: Type.String() });
    expect(Type.Intersect([A, Type.Object({ b: Type.Integer() })], { title: 'AB' })).toEqual({
      title: 'AB',
      type: 'object',
      allOf: [A, { type: 'object', required: ['b'], properties: { b: { type: 'integer' } } }],
    });
    // With a record in it, the intersection states no type of its own.
    expect(Type.Intersect([A, Type.Record(Type.String(), Type.String())])).not.toHaveProperty('type');

    const Full = Type.Object(
      { a: Type.String(), b: Type.Optional(Type.Integer()), c: Type.String() },
      { title: 'Full', additionalProperties: false },
    );
    expect(JSON.stringify(Type.Omit(Full, ['c'], { title: 'Part' }))).toBe(
      '{"title":"Part","additionalProperties":false,"type":"object","required":["a"],"properties":{"a":{"type":"string"},"b":{"type":"integer"}}}',
    );

    interface Tree {
      children?: Tree[];
    }
    const TreeSchema = Type.Recursive<Tree>(
      (Self) => Type.Object({ children: Type.Optional(Type.Array(Self)) }, { additionalProperties: false }),
      { $id: 'tree' },
    );
    expect(TreeSchema).toEqual({
      $id: 'tree',
      additionalProperties: false,
      type: 'object',
      properties: { children: { type: 'array', items: { $ref: 'tree' } } },
    });
    expect(schemaIssues(TreeSchema, { children: [{ children: [] }] })).toEqual([]);
    expect(schemaIssues(TreeSchema, { children: [{ leaves: 1 }] })).toEqual([
      { path: '/children/0/leaves', message: 'is not a known field' },
    ]);
  });

  it('carries the static type of the values it accepts', () => {
    const Person = Type.Object({
      id: Type.String(),
      age: Type.Optional(Type.Integer()),
      kind: Type.Union([Type.Literal('a'), Type.Literal('b')]),
      tags: Type.Array(Type.String()),
      data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      parent: Type.Union([Type.String(), Type.Null()]),
    });
    expectTypeOf<Static<typeof Person>>().toEqualTypeOf<{
      id: string;
      age?: number;
      kind: 'a' | 'b';
      tags: string[];
      data?: Record<string, unknown>;
      parent: string | null;
    }>();
    const Both = Type.Intersect([Type.Object({ a: Type.String() }), Type.Object({ b: Type.Boolean() })]);
    expectTypeOf<Static<typeof Both>>().toEqualTypeOf<{ a: string; b: boolean }>();
    expect(Both['allOf']).toHaveLength(2);
    const Part = Type.Omit(Person, ['tags', 'data']);
    expectTypeOf<Static<typeof Part>>().toEqualTypeOf<{
      id: string;
      age?: number;
      kind: 'a' | 'b';
      parent: string | null;
    }>();
    expect(Object.keys(Part.properties)).toEqual(['id', 'age', 'kind', 'parent']);
  });
});
