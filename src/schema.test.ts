import { Type } from './json-schema.js';
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

describe('union errors', () => {
  it('follows the discriminators of a v2 entity to the variant the value names', async () => {
    const { V2Entity } = await import('./operations/track-v2.js');
    expect(schemaIssues(V2Entity, { type: 'person', action: 'event', identifiers: { id: '1' } })).toEqual([
      { path: '/name', message: 'is required' },
    ]);
    expect(
      schemaIssues(V2Entity, {
        type: 'person',
        action: 'identify',
        identifiers: { id: '1', email: 'a@b.c' },
      }),
    ).toEqual([
      { path: '/identifiers', message: 'must have exactly one of "id", "email", "phone", "cio_id"' },
    ]);
    const unknown = schemaIssues(V2Entity, { type: 'person', action: 'fly', identifiers: { id: '1' } });
    expect(unknown).toHaveLength(1);
    expect(unknown[0]?.message).toMatch(
      /^has no variant for type "person" and action "fly"; known type\/action: person\/identify, /,
    );
    // A discriminator left out is named, with what it may be.
    expect(schemaIssues(V2Entity, { type: 'person', identifiers: { id: '1' } })).toEqual([
      {
        path: '',
        message:
          'has no "action"; with type "person", "action" is one of: identify, delete, event, screen, page, add_relationships, delete_relationships, add_device, delete_device, merge, suppress, unsuppress',
      },
    ]);
    expect(schemaIssues(V2Entity, { action: 'identify' })[0]?.message).toBe(
      'has no "type"; "type" is one of: person, object, delivery',
    );
    expect(schemaIssues(V2Entity, { type: 'person', action: 'identify', identifiers: { id: '1' } })).toEqual(
      [],
    );
  });
});
