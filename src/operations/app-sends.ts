/**
 * App API sends that cannot be deduplicated (customerio-api.md §3.5): a transactional email and an
 * API-triggered broadcast. Their safety is `idempotent: false`, so a failure after the request may
 * have reached Customer.io is reported as `DeliveryUnknownError`, never resent.
 */
import { Type, type Static, type TObject } from '../json-schema.js';
import { defineOperation } from './define.js';
import { definedEntries, fillPath, jsonBody, wireRequest } from './wire.js';

const Identifiers = Type.Union(
  [
    Type.Object({ id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    Type.Object({ email: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    Type.Object({ cio_id: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  ],
  { description: 'The person the message is for: exactly one of `id`, `email` or `cio_id`.' },
);

/** The template's Liquid data, in every transactional send. */
const MessageData = Type.Optional(
  Type.Record(Type.String(), Type.Unknown(), { description: 'Liquid data for the template.' }),
);

/** The options every transactional send takes (email, inbox, in-app, WhatsApp). */
const TEMPLATE_SEND_OPTIONS = {
  language: Type.Optional(
    Type.String({
      description:
        "Overrides the person's language preference: a two- or four-letter language code (e.g. `fr`, `pt-BR`).",
    }),
  ),
  disable_message_retention: Type.Optional(
    Type.Boolean({
      description:
        "If true, the message body is not kept in delivery history; overrides the template's setting.",
    }),
  ),
  send_to_unsubscribed: Type.Optional(
    Type.Boolean({
      description:
        "If false, the message is not sent to an unsubscribed recipient; overrides the template's setting (default true).",
    }),
  ),
  queue_draft: Type.Optional(
    Type.Boolean({
      description:
        'If true, the message is held as a draft in Customer.io (sent from the Deliveries and Drafts page) instead of sent.',
    }),
  ),
};

export const SendTransactionalEmailInput = Type.Object(
  {
    transactional_message_id: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1 })], {
        description:
          'The template: its id, or its Trigger Name (case-insensitive). Without it, give `body`, `subject` and `from`.',
      }),
    ),
    identifiers: Identifiers,
    to: Type.String({
      minLength: 1,
      description: 'Recipient address(es), comma-separated; at most 15 across `to` and `bcc`.',
    }),
    from: Type.Optional(Type.String({ description: 'Sender; overrides the template.' })),
    subject: Type.Optional(
      Type.String({
        description: "The subject line; overrides the template's.",
      }),
    ),
    body: Type.Optional(Type.String({ description: 'HTML body; overrides the template.' })),
    body_amp: Type.Optional(
      Type.String({
        description: 'The AMP body of an email; `body` is the fallback for clients without AMP.',
      }),
    ),
    body_plain: Type.Optional(
      Type.String({
        description: "The plain-text body; overrides the template's.",
      }),
    ),
    preheader: Type.Optional(
      Type.String({
        description: 'The "preview text" shown next to or under the subject line in the inbox.',
      }),
    ),
    reply_to: Type.Optional(
      Type.String({
        description: 'The address recipients reply to, if not the `from` address.',
      }),
    ),
    bcc: Type.Optional(
      Type.String({
        description: 'Blind-copy recipients, comma-separated; at most 15 across `to` and `bcc`.',
      }),
    ),
    fake_bcc: Type.Optional(
      Type.Boolean({
        description:
          'If true, instead of true copies to the BCC addresses, one copy is sent with the recipient address(es) in its subject line.',
      }),
    ),
    message_data: MessageData,
    send_at: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Unix seconds, at most 90 days ahead; past times send now.' }),
    ),
    ...TEMPLATE_SEND_OPTIONS,
    tracked: Type.Optional(
      Type.Boolean({
        description: 'If true, Customer.io tracks opens and link clicks in the message.',
      }),
    ),
    disable_css_preprocessing: Type.Optional(
      Type.Boolean({
        description:
          "If true, CSS preprocessing (on by default for emails) is off; overrides the template's setting.",
      }),
    ),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'Extra email headers (ASCII).' }),
    ),
    attachments: Type.Optional(
      Type.Record(Type.String(), Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' }), {
        description: '`{"file.pdf": "<base64>"}`; at most 2 MB in total.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const sendTransactionalEmail = defineOperation({
  id: 'app.send_transactional_email',
  connector: 'app',
  title: 'Send a transactional email',
  description:
    'Sends a transactional email (App `POST /v1/send/email`), from a template or with its own body, subject and sender. It cannot be deduplicated: a failure after the request may have arrived is reported as DeliveryUnknownError, never resent.',
  method: 'POST',
  path: '/send/email',
  input: SendTransactionalEmailInput,
  output: Type.Object(
    {
      delivery_id: Type.String({ description: 'The delivery, as seen in messages and reporting webhooks.' }),
      queued_at: Type.Integer({ description: 'Unix seconds.' }),
    },
    { additionalProperties: true },
  ),
  safety: { idempotent: false, destructive: false, rateBucket: 'app_transactional' },
  examples: [
    {
      summary: 'The welcome template for person 42',
      input: {
        transactional_message_id: 7,
        identifiers: { id: '42' },
        to: 'ada@example.com',
        message_data: { name: 'Ada' },
      },
    },
  ],
  refine(input) {
    if (input.transactional_message_id !== undefined) return [];
    return (['body', 'subject', 'from'] as const)
      .filter((field) => input[field] === undefined || input[field] === '')
      .map((field) => ({ path: `/${field}`, message: 'is required without transactional_message_id' }));
  },
  encode: (input) => wireRequest('POST', '/send/email', { body: jsonBody(definedEntries(input)) }),
  decode: (response) => response.body as { delivery_id: string; queued_at: number },
});

const Recipient = Type.Union([Type.String({ minLength: 1 }), Type.Integer()]);

export const TriggerBroadcastInput = Type.Object(
  {
    broadcast_id: Type.Integer({ minimum: 1, description: 'The API-triggered broadcast.' }),
    data: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'Liquid data for every recipient (at most 50 KB).',
      }),
    ),
    ids: Type.Optional(
      Type.Array(Recipient, {
        minItems: 1,
        maxItems: 10_000,
        description: 'Recipients by id (they must exist).',
      }),
    ),
    emails: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        maxItems: 10_000,
        description: 'Recipients by email.',
      }),
    ),
    per_user_data: Type.Optional(
      Type.Array(Type.Record(Type.String(), Type.Unknown()), {
        minItems: 1,
        maxItems: 10_000,
        description: '`[{id|email, data}]`: per-recipient data.',
      }),
    ),
    data_file_url: Type.Optional(
      Type.String({ minLength: 1, description: 'A URL of newline-delimited per-user JSON.' }),
    ),
    recipients: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'An audience filter (and/or/not/segment/attribute).',
      }),
    ),
    id_ignore_missing: Type.Optional(
      Type.Boolean({
        description:
          'If false, an id in `ids` or `per_user_data` that matches no person is an error; if true, it is skipped.',
      }),
    ),
    email_ignore_missing: Type.Optional(
      Type.Boolean({
        description: 'If false, an email address that matches no person is an error; if true, it is skipped.',
      }),
    ),
    email_add_duplicates: Type.Optional(
      Type.Boolean({
        description:
          'If false, an email address shared by more than one person is an error; if true, each of them receives the broadcast (UNCONFIRMED: the spec states only the error).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const triggerBroadcast = defineOperation({
  id: 'app.trigger_broadcast',
  connector: 'app',
  title: 'Trigger a broadcast',
  description:
    'Triggers an API-triggered broadcast (App `POST /v1/campaigns/{broadcast_id}/triggers`) for its default audience, or for ids, emails, per-user data, a data file or a filter. Limited to 1 request per 10 seconds; never resent after it may have arrived.',
  method: 'POST',
  path: '/campaigns/{broadcast_id}/triggers',
  input: TriggerBroadcastInput,
  output: Type.Object(
    { id: Type.Integer({ description: 'The trigger id, for status and errors.' }) },
    { additionalProperties: true },
  ),
  safety: { idempotent: false, destructive: false, rateBucket: 'app_broadcast_trigger' },
  examples: [
    {
      summary: 'Broadcast 1 to two people',
      input: { broadcast_id: 1, ids: ['42', '43'], data: { promo: 'WINTER' } },
    },
    { summary: 'Broadcast 1 to its default audience', input: { broadcast_id: 1 } },
  ],
  refine(input) {
    const forms = (['ids', 'emails', 'per_user_data', 'data_file_url', 'recipients'] as const).filter(
      (k) => input[k] !== undefined,
    );
    return forms.length > 1
      ? [
          {
            path: `/${forms[1] ?? ''}`,
            message: `cannot be combined with ${forms[0] ?? ''}: give one recipient form`,
          },
        ]
      : [];
  },
  encode(input) {
    const { broadcast_id: _id, ...body } = input;
    return wireRequest('POST', fillPath('/campaigns/{broadcast_id}/triggers', input), {
      body: jsonBody(definedEntries(body)),
    });
  },
  decode: (response) => response.body as { id: number },
});

/**
 * The common envelope of the transactional sends added after the July 2025 spec
 * (customerio-api.md §3.7: confirmed by the official Node and Go clients; the field list beyond the
 * envelope is UNCONFIRMED, so other fields are passed through as they are given).
 */
const LATER_SEND_FIELDS = {
  transactional_message_id: Type.Union([Type.Integer({ minimum: 1 }), Type.String({ minLength: 1 })], {
    description: 'The template: its id, or its Trigger Name.',
  }),
  identifiers: Identifiers,
  message_data: MessageData,
  send_at: Type.Optional(Type.Integer({ minimum: 0, description: 'Unix seconds, at most 90 days ahead.' })),
  ...TEMPLATE_SEND_OPTIONS,
};

/**
 * WhatsApp's fields beyond the envelope (UNCONFIRMED: from the official Ruby client, July 2026;
 * not in the July 2025 spec): the recipient's number and the same tracking and attachment options
 * as email.
 */
const WHATSAPP_FIELDS = {
  to: Type.Optional(
    Type.String({ minLength: 1, description: "The recipient's phone number; overrides the profile's." }),
  ),
  tracked: Type.Optional(
    Type.Boolean({ description: 'If true, Customer.io tracks opens and link clicks in the message.' }),
  ),
  attachments: Type.Optional(
    Type.Record(Type.String(), Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$' }), {
      description: '`{"file.pdf": "<base64>"}`, as for email.',
    }),
  ),
};

const SendOutput = Type.Object(
  { delivery_id: Type.String(), queued_at: Type.Integer({ description: 'Unix seconds.' }) },
  { additionalProperties: true },
);

/** The example every later send shows: the welcome template for person 42. */
const LATER_SEND_EXAMPLE = {
  transactional_message_id: 7,
  identifiers: { id: '42' },
  message_data: { name: 'Ada' },
} as const;

function laterSend<const Id extends `app.${string}`, I extends TObject>(
  id: Id,
  kind: 'inbox_message' | 'in_app' | 'whatsapp',
  title: string,
  what: string,
  input: I,
  example: Static<I>,
  note = '',
) {
  return defineOperation({
    id,
    connector: 'app',
    title,
    description: `Sends ${what} from a transactional template (App \`POST /v1/send/${kind}\`, added to the API after the July 2025 spec${note}). Never resent once it may have arrived.`,
    method: 'POST',
    path: `/send/${kind}`,
    input,
    output: SendOutput,
    safety: { idempotent: false, destructive: false, rateBucket: 'app_transactional' },
    examples: [{ summary: `${title} to person 42`, input: example }],
    encode: (input) => wireRequest('POST', `/send/${kind}`, { body: jsonBody(definedEntries(input)) }),
    decode: (response) => response.body as { delivery_id: string; queued_at: number },
  });
}

const LaterSendInput = Type.Object(LATER_SEND_FIELDS, { additionalProperties: false });

export const sendInboxMessage = laterSend(
  'app.send_inbox_message',
  'inbox_message',
  'Send a transactional inbox message',
  'an inbox message',
  LaterSendInput,
  LATER_SEND_EXAMPLE,
);
export const sendInAppMessage = laterSend(
  'app.send_in_app_message',
  'in_app',
  'Send a transactional in-app message',
  'an in-app message',
  LaterSendInput,
  LATER_SEND_EXAMPLE,
);
export const sendWhatsappMessage = laterSend(
  'app.send_whatsapp_message',
  'whatsapp',
  'Send a transactional WhatsApp message',
  'a WhatsApp message',
  Type.Object({ ...LATER_SEND_FIELDS, ...WHATSAPP_FIELDS }, { additionalProperties: false }),
  { ...LATER_SEND_EXAMPLE, to: '+15551234567' },
  '; UNCONFIRMED: known from the official Ruby client only, so its fields beyond `identifiers` and `transactional_message_id` may differ',
);
