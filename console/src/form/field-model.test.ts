import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '../types.js';
import {
  emptyValue,
  fieldFor,
  fieldsOf,
  getAt,
  humanize,
  itemField,
  parseJsonInput,
  parseNumberInput,
  removeAt,
  setAt,
  variantIndex,
  type Field,
} from './field-model.js';

// The shapes of the registry's real schemas (as the server serves them), trimmed.
const rawHttp: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['method', 'endpoint'],
  properties: {
    method: {
      description: 'The HTTP method.',
      anyOf: [
        { const: 'GET', type: 'string' },
        { const: 'POST', type: 'string' },
      ],
    },
    endpoint: { type: 'string', minLength: 1, description: 'The path.' },
    query_parameters: { type: 'object', patternProperties: { '^(.*)$': { type: 'string' } } },
    body_type: {
      anyOf: [
        { const: 'none', type: 'string' },
        { const: 'json', type: 'string' },
      ],
    },
    body: { description: 'Any JSON.' },
  },
};

const byKey = (fields: readonly Field[], key: string): Field => {
  const f = fields.find((x) => x.key === key);
  if (f === undefined) throw new Error(`no field ${key}`);
  return f;
};

describe('humanize', () => {
  it('turns names into words with capitals', () => {
    expect(humanize('identifier')).toBe('Identifier');
    expect(humanize('body_type')).toBe('Body Type');
    expect(humanize('cio_subscription_preferences')).toBe('Cio Subscription Preferences');
    expect(humanize('sendAt')).toBe('Send At');
    expect(humanize('title-loc-key')).toBe('Title Loc Key');
  });
});

describe('fieldsOf', () => {
  it('maps each kind of schema to its field, required ones first and marked', () => {
    const fields = fieldsOf(rawHttp);
    expect(fields.map((f) => f.key)).toEqual(['method', 'endpoint', 'query_parameters', 'body_type', 'body']);
    const method = byKey(fields, 'method');
    expect(method).toMatchObject({
      kind: 'enum',
      label: 'Method',
      required: true,
      description: 'The HTTP method.',
    });
    expect(method.kind === 'enum' && method.options.map((o) => o.value)).toEqual(['GET', 'POST']);
    expect(byKey(fields, 'endpoint')).toMatchObject({ kind: 'string', label: 'Endpoint', required: true });
    expect(byKey(fields, 'body_type')).toMatchObject({ kind: 'enum', label: 'Body Type', required: false });
    // patternProperties only, and no type at all: free-form JSON.
    expect(byKey(fields, 'query_parameters').kind).toBe('json');
    expect(byKey(fields, 'body').kind).toBe('json');
  });

  it('uses the schema title over the name, and builds pointers for nested objects', () => {
    const fields = fieldsOf({
      type: 'object',
      required: ['person'],
      properties: {
        person: {
          type: 'object',
          required: ['id'],
          properties: {
            id: { type: 'string', title: 'Person ID' },
            'a/b': { type: 'integer' },
            score: { type: 'number' },
            vip: { type: 'boolean' },
            tier: { type: 'string', enum: ['gold', 'silver'] },
          },
        },
      },
    });
    const person = byKey(fields, 'person');
    if (person.kind !== 'object') throw new Error('object expected');
    expect(person.label).toBe('Person');
    expect(byKey(person.fields, 'id')).toMatchObject({
      label: 'Person ID',
      pointer: '/person/id',
      required: true,
    });
    expect(byKey(person.fields, 'a/b')).toMatchObject({ kind: 'integer', pointer: '/person/a~1b' });
    expect(byKey(person.fields, 'score').kind).toBe('number');
    expect(byKey(person.fields, 'vip').kind).toBe('boolean');
    expect(byKey(person.fields, 'tier')).toMatchObject({ kind: 'enum' });
  });

  it('offers a variant picker for unions of shapes, and treats X | null as X', () => {
    const identifiers: JsonSchema = {
      anyOf: [
        {
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: { id: { type: 'string' } },
        },
        {
          type: 'object',
          required: ['email'],
          additionalProperties: false,
          properties: { email: { type: 'string' } },
        },
      ],
    };
    const field = fieldFor(identifiers, 'identifiers', ['identifiers'], true);
    if (field.kind !== 'variants') throw new Error('variants expected');
    expect(field.variants.map((v) => v.label)).toEqual(['With Id', 'With Email']);
    expect(variantIndex(field.variants, { email: 'a@b.c' })).toBe(1);
    expect(variantIndex(field.variants, { id: '1' })).toBe(0);
    expect(variantIndex(field.variants, undefined)).toBe(0);

    const nullable = fieldFor(
      { anyOf: [{ type: 'string' }, { type: 'null' }], description: 'd' },
      'x',
      ['x'],
      false,
    );
    expect(nullable).toMatchObject({ kind: 'string', description: 'd' });

    const idOrName = fieldFor({ anyOf: [{ type: 'integer' }, { type: 'string' }] }, 'tid', ['tid'], false);
    if (idOrName.kind !== 'variants') throw new Error('variants expected');
    expect(variantIndex(idOrName.variants, 'welcome')).toBe(1);
    expect(variantIndex(idOrName.variants, 7)).toBe(0);
  });

  it('merges allOf members', () => {
    const fields = fieldsOf({
      allOf: [
        { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
        { type: 'object', properties: { b: { type: 'integer' } } },
      ],
    });
    expect(fields.map((f) => [f.key, f.kind, f.required])).toEqual([
      ['a', 'string', true],
      ['b', 'integer', false],
    ]);
  });

  it('gives array items their own fields and paths', () => {
    const field = fieldFor(
      { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
      'relationships',
      ['cio_relationships', 'relationships'],
      true,
    );
    if (field.kind !== 'array') throw new Error('array expected');
    const second = itemField(field, 1);
    expect(second).toMatchObject({
      kind: 'object',
      label: 'Relationships 2',
      pointer: '/cio_relationships/relationships/1',
    });
  });
});

describe('values', () => {
  it('sets and removes values along a path without mutating', () => {
    const input = { a: { b: 1 }, list: [1, 2, 3] };
    const next = setAt(input, ['a', 'c'], 'x');
    expect(next).toEqual({ a: { b: 1, c: 'x' }, list: [1, 2, 3] });
    expect(input).toEqual({ a: { b: 1 }, list: [1, 2, 3] });
    expect(setAt(next, ['a', 'b'], undefined)).toEqual({ a: { c: 'x' }, list: [1, 2, 3] });
    expect(setAt(undefined, ['x', 0, 'y'], true)).toEqual({ x: [{ y: true }] });
    expect(removeAt(input, ['list', 1])).toEqual({ a: { b: 1 }, list: [1, 3] });
    expect(getAt(input, ['list', 2])).toBe(3);
    expect(getAt(input, ['a', 'b', 'c'])).toBeUndefined();
  });

  it('parses number and JSON inputs, keeping what is not a number as text', () => {
    expect(parseNumberInput('42', true)).toBe(42);
    expect(parseNumberInput(' ', true)).toBeUndefined();
    expect(parseNumberInput('4.5', true)).toBe('4.5');
    expect(parseNumberInput('4.5', false)).toBe(4.5);
    expect(parseJsonInput('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    const bad = parseJsonInput('{"a":');
    expect(bad.ok).toBe(false);
  });

  it('makes empty values of the right shape', () => {
    expect(emptyValue({ type: 'object', required: ['id'], properties: { id: { type: 'string' } } })).toEqual({
      id: '',
    });
    expect(emptyValue({ const: 'add' })).toBe('add');
    expect(emptyValue({ type: 'array' })).toEqual([]);
    expect(emptyValue({ type: 'integer' })).toBeUndefined();
  });
});
