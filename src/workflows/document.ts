/**
 * The workflow document: a name, a trigger and steps, as JSON. Written as JSON Schema (`src/json-schema.ts`),
 * like the registry's operations, so the same value validates documents (Ajv, `src/schema.ts`), is
 * served by the API and generates the console's forms.
 *
 * A step is either an operation step (`operation`, `authentication`, `input`) or a loop
 * (`for_each` over a referenced array, with nested `steps`). Both may have `when` and `on_error`.
 * Which fields a kind needs is checked after the schema (`validate.ts`), so that a mistake gets one
 * precise message instead of a failed union.
 */
import { Type, type ObjectStatic, type Static, type TSchema } from '../json-schema.js';

export const STEP_ID_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';

export const CONDITION_OPERATORS = [
  'equals',
  'not_equals',
  'exists',
  'not_exists',
  'gt',
  'lt',
  'contains',
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export const Condition = Type.Object(
  {
    path: Type.String({
      minLength: 2,
      description: 'What to test: a reference path such as `$.steps.lookup.error.status` (braces optional).',
    }),
    equals: Type.Optional(Type.Unknown({ description: 'True when the value equals this (deep equality).' })),
    not_equals: Type.Optional(Type.Unknown({ description: 'True when the value differs from this.' })),
    exists: Type.Optional(Type.Boolean({ description: 'True when the value is present (not null).' })),
    not_exists: Type.Optional(Type.Boolean({ description: 'True when the value is absent or null.' })),
    gt: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'Greater than.' })),
    lt: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'Less than.' })),
    contains: Type.Optional(
      Type.Unknown({ description: 'A string containing this text, or an array containing this item.' }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Run the step only when the condition holds (exactly one operator); otherwise it is skipped.',
  },
);
export type Condition = Static<typeof Condition>;

const StepCommon = {
  id: Type.String({
    pattern: STEP_ID_PATTERN,
    description: 'Unique in the workflow; later steps read this step as `$.steps.<id>`.',
  }),
  name: Type.Optional(Type.String({ maxLength: 200, description: 'A label for people.' })),
  when: Type.Optional(Condition),
  on_error: Type.Optional(
    Type.Union([Type.Literal('fail'), Type.Literal('continue')], {
      description: '`fail` (default) stops the run when this step fails; `continue` goes on.',
    }),
  ),
};

export const WORKFLOW_STEP_SCHEMA_ID = 'cioc-workflow-step';

/** A step's fields but its nested `steps` (a loop's body, which are steps again). */
const StepFields = {
  ...StepCommon,
  operation: Type.Optional(
    Type.String({ minLength: 1, description: 'An operation id, e.g. `track.track_custom_event`.' }),
  ),
  version: Type.Optional(
    Type.String({ description: "The connector's version (Track 2.0, App and Beta 1.0), if given." }),
  ),
  authentication: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "A named authentication visible to the workflow's owner; default: the owner's default for the connector.",
    }),
  ),
  input: Type.Optional(
    Type.Unknown({
      description:
        'The operation input. Any string may be or contain a reference: `"{{ $.trigger.body.id }}"`.',
    }),
  ),
  timeout_ms: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 600_000,
      description: 'Per-attempt timeout (default 10 000).',
    }),
  ),
  retries: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 10,
      description:
        'Retries after a failed attempt (default 3). Sends that cannot be deduplicated are still never resent once they may have arrived.',
    }),
  ),
  for_each: Type.Optional(
    Type.String({
      description: 'A loop: a reference to an array, e.g. `{{ $.steps.search.output.ids }}`.',
    }),
  ),
  concurrency: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 50,
      description: 'Loop iterations in flight at once (default 1).',
    }),
  ),
};

/** A step; a loop's `steps` are steps again (the static type is stated: it refers to itself). */
export type Step = ObjectStatic<typeof StepFields> & { steps?: Step[] };

export const Step = Type.Recursive<Step>(
  (Self) =>
    Type.Object(
      {
        ...StepFields,
        steps: Type.Optional(
          Type.Array(Self, { minItems: 1, description: 'The steps a loop runs for each item.' }),
        ),
      },
      { additionalProperties: false },
    ),
  { $id: WORKFLOW_STEP_SCHEMA_ID },
);

export const TRIGGER_TYPES = ['manual', 'webhook', 'schedule', 'customerio_webhook'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

/** How the store keeps a trigger secret (sealed with the master key); clients never see it. */
const SealedSecret = Type.Object({ sealed: Type.String() }, { additionalProperties: false });

export const Trigger = Type.Object(
  {
    type: Type.Union(
      TRIGGER_TYPES.map((t) => Type.Literal(t)),
      { description: 'What starts a run.' },
    ),
    respond: Type.Optional(
      Type.Union([Type.Literal('immediately'), Type.Literal('when_finished')], {
        description:
          'webhook: answer 202 with the run id at once (default), or the run when it has finished.',
      }),
    ),
    cron: Type.Optional(Type.String({ minLength: 1, description: 'schedule: a cron expression.' })),
    timezone: Type.Optional(Type.String({ minLength: 1, description: 'schedule: an IANA time zone.' })),
    secret: Type.Optional(
      Type.Union([Type.String({ minLength: 8, maxLength: 1000 }), SealedSecret], {
        description:
          'webhook: a shared secret; deliveries must carry an HMAC-SHA256 of the raw body. Write-only: read back as "[REDACTED]", and "[REDACTED]" on save keeps the stored one.',
      }),
    ),
    signature_header: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9-]{1,100}$',
        description: 'webhook: the header carrying `sha256=<hex>` (default X-Signature-256).',
      }),
    ),
    signing_key: Type.Optional(
      Type.Union([Type.String({ minLength: 8, maxLength: 1000 }), SealedSecret], {
        description:
          "customerio_webhook: the reporting webhook's signing key from Customer.io. Write-only, like `secret`.",
      }),
    ),
    tolerance_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 86_400,
        description:
          'customerio_webhook: how old X-CIO-Timestamp may be, in seconds (0: no check; default 300).',
      }),
    ),
  },
  { additionalProperties: true, description: 'Trigger-specific settings are checked by the server.' },
);
export type Trigger = Static<typeof Trigger>;

export const WorkflowDocument = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    trigger: Trigger,
    steps: Type.Array(Step, { minItems: 1, maxItems: 200 }),
    output: Type.Optional(
      Type.Unknown({
        description: "The run's output, may reference steps; default: the last top-level step's output.",
      }),
    ),
  },
  { additionalProperties: false, title: 'Workflow' },
);
export type WorkflowDocument = Static<typeof WorkflowDocument>;

/** The schema as plain JSON (for `GET /api/...` and editors). */
export function workflowJsonSchema(): TSchema {
  return JSON.parse(JSON.stringify(WorkflowDocument)) as TSchema;
}
