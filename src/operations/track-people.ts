/**
 * The seed Track operations on people: create or update, delete, and custom events
 * (track.json `PUT|DELETE /api/v1/customers/{identifier}`, `POST /api/v1/customers/{identifier}/events`).
 */
import { Type, type Static } from '../json-schema.js';
import type { ValidationIssue } from '../errors.js';
import { defineOperation } from './define.js';
import { definedEntries, fillPath, jsonBody, utf8Bytes, wireRequest } from './wire.js';

/** Track limits (customerio-api.md §2.5), checked in UTF-8 bytes before anything is sent. */
export const TRACK_LIMITS = {
  identifierBytes: 150,
  attributeNameBytes: 150,
  attributeValueBytes: 1000,
  attributesPerCall: 300,
  eventNameBytes: 100,
  eventDataBytes: 100_000,
} as const;

const Identifier = Type.String({
  minLength: 1,
  description:
    'Who the person is: their `id`, their `email`, or their Customer.io id prefixed with `cio_` (e.g. `cio_03000001`). Customer.io infers the kind from the shape of the value.',
  examples: ['42', 'ada@example.com', 'cio_03000001'],
});

function unixSeconds(description: string) {
  return Type.Integer({ minimum: 0, description });
}

/** ULIDs, Crockford base32 (track.json `dedupe_id`, format `ulid`). */
export const ULID_PATTERN = '^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$';

const AttributeValue = Type.Union([Type.String(), Type.Integer(), Type.Boolean()], {
  description:
    'Attribute values are strings, integers or booleans (track.json). Customer.io stores every attribute as a string, so send decimals as strings.',
});

const RelationshipIdentifiers = Type.Union([
  Type.Object(
    { object_type_id: Type.String({ minLength: 1 }), object_id: Type.String({ minLength: 1 }) },
    { additionalProperties: false },
  ),
  Type.Object({ cio_object_id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
]);

export const CreateOrUpdateCustomerInput = Type.Object(
  {
    identifier: Identifier,
    email: Type.Optional(Type.String({ minLength: 1, description: "The person's email address." })),
    id: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "Sets the person's `id` when the identifier is an email, or changes it when the identifier is a `cio_` id.",
      }),
    ),
    anonymous_id: Type.Optional(
      Type.String({ minLength: 1, description: 'An anonymous id to associate with this person.' }),
    ),
    created_at: Type.Optional(unixSeconds('When the person was created (Unix seconds).')),
    attributes: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), AttributeValue, {
        description: 'Custom attributes, sent as top-level fields of the request body.',
      }),
    ),
    update_only: Type.Optional(
      Type.Boolean({
        description:
          'Only update an existing person, never create one (sent as `_update`). A miss is dropped by Customer.io.',
      }),
    ),
    update_timestamp: Type.Optional(
      unixSeconds(
        'When this update happened (sent as `_timestamp`); orders updates sent in rapid succession.',
      ),
    ),
    unsubscribed: Type.Optional(
      Type.Boolean({ description: 'Whether the person is unsubscribed from messages.' }),
    ),
    cio_subscription_preferences: Type.Optional(
      Type.Object(
        {
          topics: Type.Record(Type.String({ pattern: '^topic_[0-9]+$' }), Type.Boolean(), {
            description: 'Per-topic opt-in, e.g. `{"topic_1": true}`.',
          }),
        },
        { additionalProperties: false, description: 'Subscription-center topic preferences.' },
      ),
    ),
    cio_relationships: Type.Optional(
      Type.Object(
        {
          action: Type.Union([Type.Literal('add_relationships'), Type.Literal('delete_relationships')]),
          relationships: Type.Array(
            Type.Object(
              {
                identifiers: RelationshipIdentifiers,
                relationship_attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
              },
              { additionalProperties: false },
            ),
            { minItems: 1 },
          ),
        },
        { additionalProperties: false, description: 'Add or remove relationships to objects.' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateOrUpdateCustomerInput = Static<typeof CreateOrUpdateCustomerInput>;

/**
 * Body fields Customer.io reserves: they have their own inputs and may not hide in `attributes`.
 * A Map, not an object literal: a lookup must not find `constructor` or `__proto__` on a prototype.
 */
const RESERVED_BODY_FIELDS: ReadonlyMap<string, string> = new Map([
  ['id', 'id'],
  ['email', 'email'],
  ['anonymous_id', 'anonymous_id'],
  ['created_at', 'created_at'],
  ['_update', 'update_only'],
  ['_timestamp', 'update_timestamp'],
  ['unsubscribed', 'unsubscribed'],
  ['cio_subscription_preferences', 'cio_subscription_preferences'],
  ['cio_relationships', 'cio_relationships'],
]);

const Empty = Type.Object({}, { description: 'Track answers 200 with an empty object.' });

function identifierIssues(identifier: string): ValidationIssue[] {
  return utf8Bytes(identifier) > TRACK_LIMITS.identifierBytes
    ? [{ path: '/identifier', message: `must be at most ${TRACK_LIMITS.identifierBytes} bytes (UTF-8)` }]
    : [];
}

export const createOrUpdateCustomer = defineOperation({
  id: 'track.create_or_update_customer',
  connector: 'track',
  title: 'Create or update customer',
  description:
    'Adds a person or updates their attributes (Track `PUT /v1/customers/{identifier}`). If the identifier is unknown but `email`/`id` match someone, that person is updated; with `update_only`, nobody is created.',
  method: 'PUT',
  path: '/v1/customers/{identifier}',
  input: CreateOrUpdateCustomerInput,
  output: Empty,
  safety: { idempotent: true, destructive: false, rateBucket: 'track' },
  examples: [
    {
      summary: 'Create person 42 with an email and a plan',
      input: { identifier: '42', email: 'ada@example.com', attributes: { plan: 'pro', seats: 3 } },
    },
    {
      summary: 'Update only, never create',
      input: { identifier: 'ada@example.com', update_only: true, attributes: { plan: 'team' } },
    },
  ],
  refine(input) {
    const issues = identifierIssues(input.identifier);
    const attributes = input.attributes ?? {};
    const names = Object.keys(attributes);
    if (names.length > TRACK_LIMITS.attributesPerCall) {
      issues.push({
        path: '/attributes',
        message: `must have at most ${TRACK_LIMITS.attributesPerCall} attributes (has ${names.length})`,
      });
    }
    for (const name of names) {
      const at = `/attributes/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const reserved = RESERVED_BODY_FIELDS.get(name);
      if (reserved !== undefined) {
        issues.push({ path: at, message: `is reserved by Customer.io: use the "${reserved}" input instead` });
      }
      if (utf8Bytes(name) > TRACK_LIMITS.attributeNameBytes) {
        issues.push({
          path: at,
          message: `name must be at most ${TRACK_LIMITS.attributeNameBytes} bytes (UTF-8)`,
        });
      }
      const value = attributes[name];
      if (typeof value === 'string' && utf8Bytes(value) > TRACK_LIMITS.attributeValueBytes) {
        issues.push({
          path: at,
          message: `must be at most ${TRACK_LIMITS.attributeValueBytes} bytes (UTF-8)`,
        });
      }
    }
    for (const field of ['email', 'id'] as const) {
      const value = input[field];
      if (value !== undefined && utf8Bytes(value) > TRACK_LIMITS.identifierBytes) {
        issues.push({
          path: `/${field}`,
          message: `must be at most ${TRACK_LIMITS.identifierBytes} bytes (UTF-8)`,
        });
      }
    }
    return issues;
  },
  encode(input) {
    const body = {
      ...input.attributes,
      ...definedEntries({
        id: input.id,
        email: input.email,
        anonymous_id: input.anonymous_id,
        created_at: input.created_at,
        _update: input.update_only,
        _timestamp: input.update_timestamp,
        unsubscribed: input.unsubscribed,
        cio_subscription_preferences: input.cio_subscription_preferences,
        cio_relationships: input.cio_relationships,
      }),
    };
    return wireRequest('PUT', fillPath('/v1/customers/{identifier}', input), { body: jsonBody(body) });
  },
  decode: () => ({}),
});

export const DeleteCustomerInput = Type.Object({ identifier: Identifier }, { additionalProperties: false });

export const deleteCustomer = defineOperation({
  id: 'track.delete_customer',
  connector: 'track',
  title: 'Delete customer',
  description:
    'Deletes a person and their data (Track `DELETE /v1/customers/{identifier}`). Deleting someone who does not exist also succeeds. The person can be added again later; use suppress to prevent that.',
  method: 'DELETE',
  path: '/v1/customers/{identifier}',
  input: DeleteCustomerInput,
  output: Empty,
  safety: { idempotent: true, destructive: true, rateBucket: 'track' },
  examples: [{ summary: 'Delete person 42', input: { identifier: '42' } }],
  refine: (input) => identifierIssues(input.identifier),
  encode: (input) => wireRequest('DELETE', fillPath('/v1/customers/{identifier}', input)),
  decode: () => ({}),
});

export const TrackCustomEventInput = Type.Object(
  {
    identifier: Identifier,
    name: Type.String({
      minLength: 1,
      description: 'The event name, as used in campaigns and segments (at most 100 bytes).',
    }),
    data: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description:
          'Event data for liquid and segments. `recipient`, `from_address` and `reply_to` override campaign settings.',
      }),
    ),
    timestamp: Type.Optional(
      unixSeconds(
        'When the event happened (Unix seconds; default: when Customer.io receives it). Only events from the past 72 hours trigger campaigns.',
      ),
    ),
    type: Type.Optional(
      Type.Union([Type.Literal('event'), Type.Literal('page'), Type.Literal('screen')], {
        description: '`event` (default), `page` (a page view) or `screen` (a mobile screen view).',
      }),
    ),
    id: Type.Optional(
      Type.String({
        pattern: ULID_PATTERN,
        description:
          'A ULID that makes the event idempotent: Customer.io ignores a repeated id. Generated once per call when absent and reused on every retry.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const trackCustomEvent = defineOperation({
  id: 'track.track_custom_event',
  connector: 'track',
  title: 'Track a custom event',
  description:
    'Records an event for a person (Track `POST /v1/customers/{identifier}/events`). Events can trigger campaigns and feed segments. Every event carries a ULID `id`, so a retried call is never stored twice.',
  method: 'POST',
  path: '/v1/customers/{identifier}/events',
  input: TrackCustomEventInput,
  output: Type.Object(
    { id: Type.String({ description: 'The ULID the event was sent with (for deduplication).' }) },
    { additionalProperties: false },
  ),
  safety: { idempotent: true, destructive: false, rateBucket: 'track' },
  examples: [
    {
      summary: 'A purchase by person 42',
      input: { identifier: '42', name: 'purchase', data: { price: 23.45, product: 'socks' } },
    },
    {
      summary: 'A page view',
      input: { identifier: 'ada@example.com', name: 'https://example.com/pricing', type: 'page' },
    },
  ],
  refine(input) {
    const issues = identifierIssues(input.identifier);
    if (utf8Bytes(input.name) > TRACK_LIMITS.eventNameBytes) {
      issues.push({ path: '/name', message: `must be at most ${TRACK_LIMITS.eventNameBytes} bytes (UTF-8)` });
    }
    if (input.data !== undefined && utf8Bytes(JSON.stringify(input.data)) > TRACK_LIMITS.eventDataBytes) {
      issues.push({ path: '/data', message: `must be at most ${TRACK_LIMITS.eventDataBytes} bytes as JSON` });
    }
    return issues;
  },
  encode(input, ctx) {
    const body = definedEntries({
      name: input.name,
      id: input.id ?? ctx.newId(),
      type: input.type,
      timestamp: input.timestamp,
      data: input.data,
    });
    return wireRequest('POST', fillPath('/v1/customers/{identifier}/events', input), {
      body: jsonBody(body),
    });
  },
  decode(_response, request) {
    const body = request.body.kind === 'json' ? (request.body.value as { id: string }) : undefined;
    return { id: body?.id ?? '' };
  },
});
