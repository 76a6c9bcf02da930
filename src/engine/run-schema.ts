/**
 * The run as JSON Schema (`src/json-schema.ts`), for the server's route declarations and the console: the shape
 * of `GET /api/runs/:id` and of `cioc workflow run`'s output. Kept in step with `view.ts` by a test.
 */
import { Type } from '../json-schema.js';
import { RUN_STATUSES, STEP_STATUSES } from './types.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ description: 'ISO-8601' });

export const ErrorView = Type.Object(
  {
    type: Type.String({ description: 'The error class: validation, config, delivery_unknown, not_found…' }),
    message: Type.String(),
    hint: Type.Optional(Type.String()),
    status: Type.Optional(Type.Integer()),
    issues: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    body: Type.Optional(Type.Unknown()),
    step: Type.Optional(Type.String({ description: 'The key of the step that failed the run.' })),
  },
  { additionalProperties: false },
);

const Body = {
  body: Type.Optional(Type.Unknown()),
  body_truncated: Type.Optional(Type.Literal(true)),
  body_size: Type.Optional(Type.Integer({ description: 'Characters in the whole body, when truncated.' })),
};

export const ExchangeView = Type.Object(
  {
    request: Type.Object(
      {
        method: Type.String(),
        url: Type.String(),
        headers: Type.Record(Type.String(), Type.String()),
        ...Body,
      },
      { additionalProperties: false },
    ),
    response: Type.Optional(
      Type.Object(
        { status: Type.Integer(), headers: Type.Record(Type.String(), Type.String()), ...Body },
        { additionalProperties: false },
      ),
    ),
    error: Type.Optional(Type.String()),
    duration_ms: Type.Number(),
  },
  { additionalProperties: false, description: 'One attempt on the wire, secrets redacted.' },
);

export const StepView = Type.Object(
  {
    key: Type.String({ description: '`upsert`, or `loop[2].inner` inside a loop iteration.' }),
    id: Type.String(),
    parent: Type.Union([Type.String(), Type.Null()]),
    index: Type.Union([Type.Integer(), Type.Null()]),
    operation: Nullable(Type.String()),
    authentication: Nullable(Type.String()),
    status: Type.Union(STEP_STATUSES.map((s) => Type.Literal(s))),
    attempts: Type.Integer({ minimum: 0 }),
    started_at: Nullable(Timestamp),
    finished_at: Nullable(Timestamp),
    duration_ms: Type.Union([Type.Number(), Type.Null()]),
    input: Type.Unknown(),
    output: Type.Unknown(),
    error: Type.Union([ErrorView, Type.Null()]),
    requests: Type.Array(ExchangeView),
    generated_ids: Type.Array(Type.String()),
    reused_from: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const RunView = Type.Object(
  {
    id: Type.String(),
    workflow_id: Type.String(),
    workflow_version: Type.Integer({ minimum: 1 }),
    status: Type.Union(RUN_STATUSES.map((s) => Type.Literal(s))),
    trigger: Type.Object(
      {
        type: Type.String(),
        body: Type.Unknown(),
        headers: Type.Record(Type.String(), Type.String()),
        query: Type.Record(Type.String(), Type.String()),
      },
      { additionalProperties: false },
    ),
    replay_of: Nullable(Type.String()),
    output: Type.Unknown(),
    error: Type.Union([ErrorView, Type.Null()]),
    created_at: Timestamp,
    started_at: Nullable(Timestamp),
    finished_at: Nullable(Timestamp),
    duration_ms: Type.Union([Type.Number(), Type.Null()]),
    steps: Type.Array(StepView),
  },
  { additionalProperties: false, title: 'Run' },
);
