import { describe, expect, it } from 'vitest';
import { evaluateCondition } from './conditions.js';
import { parsePath, parseTemplate, ReferenceSyntaxError, referencesIn, resolveValue } from './references.js';

const scope = {
  trigger: {
    body: { id: 42, name: 'Ada', tags: ['a', 'b'], 'odd key': { x: 1 }, nil: null },
    headers: {},
    query: {},
  },
  steps: { lookup: { status: 'succeeded', output: { results: [{ id: '7', email: 'a@b.c' }] } } },
  item: { email: 'x@y.z' },
  index: 3,
};

describe('parsePath', () => {
  it('reads dot names, [n] indexes and quoted names', () => {
    expect(parsePath('$.steps.lookup.output.results[0].id').segments).toEqual([
      'steps',
      'lookup',
      'output',
      'results',
      0,
      'id',
    ]);
    expect(parsePath(`$.trigger.body["odd key"]['x']`).segments).toEqual(['trigger', 'body', 'odd key', 'x']);
    expect(parsePath('$.trigger.headers.x-source').segments).toEqual(['trigger', 'headers', 'x-source']);
  });

  it.each([
    ['steps.x', /must start with "\$"/],
    ['$.', /empty or invalid name/],
    ['$.a[x]', /invalid \[index\]/],
    ['$.a b', /unexpected " "/],
  ])('refuses %s', (path, message) => {
    expect(() => parsePath(path)).toThrow(ReferenceSyntaxError);
    expect(() => parsePath(path)).toThrow(message);
  });
});

describe('templates', () => {
  it('tells text, one exact reference and interpolation apart', () => {
    expect(parseTemplate('plain').kind).toBe('text');
    expect(parseTemplate('{{ $.index }}').kind).toBe('exact');
    expect(parseTemplate('{{$.index}}').kind).toBe('exact');
    expect(parseTemplate('#{{ $.index }}').kind).toBe('interpolated');
    expect(parseTemplate('{{ $.a }}{{ $.b }}').kind).toBe('interpolated');
  });

  it('gives an exact reference its own type and interpolates text', () => {
    expect(resolveValue('{{ $.trigger.body.id }}', scope)).toBe(42);
    expect(resolveValue('{{ $.trigger.body.tags }}', scope)).toEqual(['a', 'b']);
    expect(resolveValue('{{ $.steps.lookup.output.results[0] }}', scope)).toEqual({
      id: '7',
      email: 'a@b.c',
    });
    expect(resolveValue('id={{ $.trigger.body.id }} tags={{ $.trigger.body.tags }}', scope)).toBe(
      'id=42 tags=["a","b"]',
    );
    expect(resolveValue('{{ $.item.email }} #{{ $.index }}', scope)).toBe('x@y.z #3');
    expect(resolveValue('[{{ $.trigger.body.nil }}{{ $.trigger.body.none }}]', scope)).toBe('[]');
  });

  it('leaves out object fields whose reference is absent, and keeps array positions', () => {
    expect(
      resolveValue(
        { a: '{{ $.trigger.body.none }}', b: '{{ $.trigger.body.nil }}', c: ['{{ $.nope }}', 1] },
        scope,
      ),
    ).toEqual({ b: null, c: [null, 1] });
  });

  it('lists every reference with the pointer of its string', () => {
    expect(
      referencesIn({ a: ['x {{ $.trigger.body.id }}'], 'b/c': '{{ $.index }}' }, '/input').map((r) => [
        r.pointer,
        r.reference.source,
      ]),
    ).toEqual([
      ['/input/a/0', '$.trigger.body.id'],
      ['/input/b~1c', '$.index'],
    ]);
  });

  it('does not read inherited properties', () => {
    expect(resolveValue('{{ $.trigger.body.constructor }}', scope)).toBeUndefined();
  });
});

describe('conditions', () => {
  it.each([
    [{ equals: 42 }, true],
    [{ equals: '42' }, false],
    [{ not_equals: 41 }, true],
    [{ gt: 41 }, true],
    [{ lt: 42 }, false],
  ])('$.trigger.body.id %j → %s', (operator, expected) => {
    expect(evaluateCondition({ path: '$.trigger.body.id', ...operator }, scope)).toBe(expected);
  });

  it('tests presence, containment and references in operands', () => {
    expect(evaluateCondition({ path: '$.trigger.body.nil', exists: true }, scope)).toBe(false);
    expect(evaluateCondition({ path: '{{ $.trigger.body.none }}', not_exists: true }, scope)).toBe(true);
    expect(evaluateCondition({ path: '$.trigger.body.tags', contains: 'b' }, scope)).toBe(true);
    expect(evaluateCondition({ path: '$.trigger.body.name', contains: 'd' }, scope)).toBe(true);
    expect(evaluateCondition({ path: '$.trigger.body.id', contains: 4 }, scope)).toBe(false);
    expect(
      evaluateCondition(
        { path: '$.steps.lookup.output.results[0].id', equals: '{{ $.trigger.body.id }}' },
        scope,
      ),
    ).toBe(false);
    expect(evaluateCondition({ path: '$.steps.lookup.status', equals: 'succeeded' }, scope)).toBe(true);
  });
});

describe('literal braces (Liquid)', () => {
  it('leaves {{ … }} that does not start with "$" as text, resolving the references around it', () => {
    expect(parseTemplate('Hi {{ customer.first_name }}')).toEqual({
      kind: 'text',
      text: 'Hi {{ customer.first_name }}',
    });
    expect(resolveValue('{{ $.trigger.body.name }}: {{ event.x | default: "y" }}', scope)).toBe(
      'Ada: {{ event.x | default: "y" }}',
    );
    expect(referencesIn({ body: 'Hi {{ customer.first_name }} #{{ $.index }}' })).toHaveLength(1);
  });

  it('refuses a reference starting with "$" that is not closed', () => {
    expect(() => parseTemplate('{{ $.trigger.body.id }')).toThrow(/not closed/);
    expect(() => parseTemplate('id {{$.trigger.body.id and more')).toThrow(ReferenceSyntaxError);
  });
});
