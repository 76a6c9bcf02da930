/**
 * Track API v2 (track.json `POST /api/v2/entity`, `POST /api/v2/batch`): one entity operation, or
 * many in a batch, as a discriminated union on `type` + `action` (customerio-api.md §2.2).
 */
import { Type, type Static, type TSchema } from '../json-schema.js';
import { defineOperation } from './define.js';
import type { WireRequest, WireResponse } from './types.js';
import { jsonBody, wireRequest } from './wire.js';
import { ULID_PATTERN } from './track-people.js';

/**
 * v2 size limits: "32 KB" per entity and "500 KB" per batch (track.json info.description). Whether
 * KB means 1000 or 1024 bytes is UNCONFIRMED, so the smaller reading is used: never over the limit.
 */
export const V2_LIMITS = { itemBytes: 32_000, batchBytes: 500_000 } as const;

const Attributes = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Attributes (custom key-values).',
});
const Unix = Type.Integer({ minimum: 0, description: 'Unix timestamp in seconds.' });

const PersonIdentifiers = Type.Union(
  [
    Type.Object({ id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    Type.Object({ email: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    Type.Object(
      { phone: Type.String({ pattern: '^\\+[1-9][0-9]{1,14}$', description: 'E.164' }) },
      { additionalProperties: false },
    ),
    Type.Object({ cio_id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  ],
  { description: 'Exactly one of `id`, `email`, `phone` (E.164) or `cio_id`.' },
);
const MergeIdentifiers = Type.Union([
  Type.Object({ id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object({ email: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object({ cio_id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
]);
const ObjectIdentifiers = Type.Union(
  [
    Type.Object(
      {
        object_type_id: Type.String({
          pattern: '^[1-9][0-9]*$',
          description: 'A string-formatted integer, from "1".',
        }),
        object_id: Type.String({ minLength: 1 }),
      },
      { additionalProperties: false },
    ),
    Type.Object({ cio_object_id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  ],
  { description: '`{object_type_id, object_id}`, or `{cio_object_id}` (updates only).' },
);
const Relationship = (identifiers: TSchema) =>
  Type.Object(
    { identifiers, relationship_attributes: Type.Optional(Attributes) },
    { additionalProperties: false },
  );
const PersonRelationships = Type.Array(Relationship(ObjectIdentifiers), { minItems: 1 });
const ObjectRelationships = Type.Array(
  Relationship(
    Type.Union([
      Type.Object({ id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
      Type.Object({ email: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
      Type.Object({ cio_id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
      Type.Object({ anonymous_id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    ]),
  ),
  { minItems: 1 },
);

function person<const A extends string, P extends Record<string, TSchema>>(
  action: A,
  properties: P,
  identified = true,
) {
  return Type.Object(
    {
      type: Type.Literal('person'),
      action: Type.Literal(action),
      ...(identified ? { identifiers: PersonIdentifiers } : {}),
      ...properties,
    },
    { additionalProperties: false, title: `person ${action}` },
  );
}
function object<const A extends string, P extends Record<string, TSchema>>(action: A, properties: P) {
  return Type.Object(
    {
      type: Type.Literal('object'),
      action: Type.Literal(action),
      identifiers: ObjectIdentifiers,
      ...properties,
    },
    { additionalProperties: false, title: `object ${action}` },
  );
}
const eventFields = {
  name: Type.String({ minLength: 1, description: 'The event name.' }),
  id: Type.Optional(
    Type.String({ pattern: ULID_PATTERN, description: 'A ULID for deduplication; generated when absent.' }),
  ),
  timestamp: Type.Optional(Unix),
  attributes: Type.Optional(Attributes),
};

export const V2Entity = Type.Union(
  [
    person('identify', {
      timestamp: Type.Optional(Unix),
      attributes: Type.Optional(Attributes),
      cio_relationships: Type.Optional(PersonRelationships),
    }),
    person('delete', {}),
    person('event', eventFields),
    person('screen', eventFields),
    person('page', eventFields),
    person('add_relationships', { cio_relationships: PersonRelationships }),
    person('delete_relationships', { cio_relationships: PersonRelationships }),
    person('add_device', {
      device: Type.Object(
        {
          token: Type.String({ minLength: 1, description: 'The device token.' }),
          platform: Type.Union([Type.Literal('ios'), Type.Literal('android')]),
          last_used: Type.Optional(Unix),
          attributes: Type.Optional(Attributes),
        },
        { additionalProperties: false },
      ),
    }),
    person('delete_device', {
      device: Type.Object({ token: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    }),
    person('merge', { primary: MergeIdentifiers, secondary: MergeIdentifiers }, false),
    person('suppress', {}),
    person('unsuppress', {}),
    object('identify', {
      attributes: Type.Optional(Attributes),
      cio_relationships: Type.Optional(ObjectRelationships),
    }),
    object('identify_anonymous', {
      attributes: Type.Optional(Attributes),
      cio_relationships: Type.Optional(ObjectRelationships),
    }),
    object('delete', {}),
    object('add_relationships', { cio_relationships: ObjectRelationships }),
    object('delete_relationships', { cio_relationships: ObjectRelationships }),
    Type.Object(
      {
        type: Type.Literal('delivery'),
        action: Type.Literal('event'),
        identifiers: Type.Object(
          { id: Type.String({ minLength: 1, description: 'The delivery_id.' }) },
          { additionalProperties: false },
        ),
        name: Type.Union([Type.Literal('opened'), Type.Literal('converted'), Type.Literal('delivered')]),
        timestamp: Type.Optional(Unix),
        attributes: Type.Intersect([
          Type.Object({ device_token: Type.String({ minLength: 1 }) }),
          Attributes,
        ]),
      },
      { additionalProperties: false, title: 'delivery event' },
    ),
  ],
  { description: 'One v2 entity operation: a `type` (person, object, delivery) and an `action`.' },
);
export type V2Entity = Static<typeof V2Entity>;

const EVENT_ACTIONS = new Set(['event', 'page', 'screen']);

/** A person event/page/screen without an `id` (one is generated so that retries are deduplicated). */
export function needsEventId(entity: V2Entity): boolean {
  return (
    entity.type === 'person' &&
    EVENT_ACTIONS.has(entity.action) &&
    (entity as { id?: unknown }).id === undefined
  );
}

/** Gives every person event/page/screen a ULID `id` (once per logical call, reused on retries). */
export function withEventId(entity: V2Entity, newId: () => string): V2Entity {
  return needsEventId(entity) ? ({ ...entity, id: newId() } as V2Entity) : entity;
}

/** Merge cannot be deduplicated: a batch or entity that merges is not safe to resend. */
export function isMerge(entity: V2Entity): boolean {
  return entity.type === 'person' && entity.action === 'merge';
}

export const BatchError = Type.Object(
  {
    batch_index: Type.Optional(
      Type.Integer({ description: '0-based index of the failing item in the request.' }),
    ),
    reason: Type.Optional(Type.String()),
    field: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export const sendEntity = defineOperation({
  id: 'track.send_entity',
  connector: 'track',
  title: 'Send an entity operation (v2)',
  description:
    'One Track v2 operation on a person, an object or a delivery (`POST /v2/entity`): identify, delete, event/page/screen, devices, relationships, merge, suppress. At most 32 KB.',
  method: 'POST',
  path: '/v2/entity',
  input: V2Entity,
  output: Type.Object({}, { description: 'Track answers 200 with an empty object.' }),
  safety: { idempotent: true, destructive: true, rateBucket: 'track' },
  isIdempotent: (input) => !isMerge(input),
  examples: [
    {
      summary: 'Identify person 42',
      input: { type: 'person', action: 'identify', identifiers: { id: '42' }, attributes: { plan: 'pro' } },
    },
    {
      summary: 'A purchase event',
      input: {
        type: 'person',
        action: 'event',
        identifiers: { email: 'ada@example.com' },
        name: 'purchase',
        attributes: { price: 9 },
      },
    },
    {
      summary: 'Identify an object',
      input: {
        type: 'object',
        action: 'identify',
        identifiers: { object_type_id: '1', object_id: 'acme' },
        attributes: { name: 'Acme' },
      },
    },
  ],
  refine(input) {
    const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
    return bytes > V2_LIMITS.itemBytes
      ? [{ path: '', message: `is ${bytes} bytes; an entity must be at most ${V2_LIMITS.itemBytes} bytes` }]
      : [];
  },
  encode: (input, ctx) =>
    wireRequest('POST', '/v2/entity', { body: jsonBody(withEventId(input, () => ctx.newId())) }),
  decode: () => ({}),
});

export const SendBatchOutput = Type.Object(
  {
    status: Type.Integer({ description: '200 when every item was accepted, 207 when some were not.' }),
    errors: Type.Array(BatchError, { description: 'The rejected items (207), each with its `batch_index`.' }),
  },
  { additionalProperties: false },
);

export const sendBatch = defineOperation({
  id: 'track.send_batch',
  connector: 'track',
  title: 'Send a batch of entity operations (v2)',
  description:
    'Many Track v2 operations in one request (`POST /v2/batch`), types mixed. At most 500 KB per request and 32 KB per item; a 207 lists the rejected items by `batch_index` while the others are accepted. For any number of items, use the batch builder (`sendBatch`), which splits, sends and maps results back.',
  method: 'POST',
  path: '/v2/batch',
  input: Type.Object(
    {
      batch: Type.Array(V2Entity, {
        minItems: 1,
        description:
          'The operations, each as for send-entity (`type`, `action`, `identifiers`, …), types mixed: at most 32 KB each and 500 KB in all.',
      }),
    },
    { additionalProperties: false },
  ),
  output: SendBatchOutput,
  safety: { idempotent: true, destructive: true, rateBucket: 'track' },
  isIdempotent: (input) => !input.batch.some(isMerge),
  examples: [
    {
      summary: 'A person and an event in one request',
      input: {
        batch: [
          { type: 'person', action: 'identify', identifiers: { id: '42' }, attributes: { plan: 'pro' } },
          { type: 'person', action: 'event', identifiers: { id: '42' }, name: 'upgraded' },
        ],
      },
    },
  ],
  refine(input) {
    const issues = input.batch.flatMap((item, index) => {
      const bytes = Buffer.byteLength(JSON.stringify(item), 'utf8');
      return bytes > V2_LIMITS.itemBytes
        ? [
            {
              path: `/batch/${index}`,
              message: `is ${bytes} bytes; an item must be at most ${V2_LIMITS.itemBytes} bytes`,
            },
          ]
        : [];
    });
    const total = Buffer.byteLength(JSON.stringify(input), 'utf8');
    if (total > V2_LIMITS.batchBytes)
      issues.push({
        path: '/batch',
        message: `is ${total} bytes; a batch must be at most ${V2_LIMITS.batchBytes} bytes (the batch builder splits for you)`,
      });
    return issues;
  },
  encode: (input, ctx) =>
    wireRequest('POST', '/v2/batch', {
      body: jsonBody({ batch: input.batch.map((item) => withEventId(item, () => ctx.newId())) }),
    }),
  decode: (response: WireResponse, _request: WireRequest) => {
    const body = response.body as { errors?: unknown } | undefined;
    const errors =
      response.status === 207 && Array.isArray(body?.errors)
        ? (body.errors as Static<typeof BatchError>[])
        : [];
    return { status: response.status, errors };
  },
});
