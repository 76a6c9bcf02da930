/** JSON Schemas of the API's own shapes (the run's comes from the engine, the document's from workflows). */
import { Type, type TSchema } from '../json-schema.js';
import { RunView } from '../engine/run-schema.js';
import { WorkflowDocument } from '../workflows/document.js';

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const Visibility = Type.Union([Type.Literal('private'), Type.Literal('organisation')], {
  description: "`private`: the owner only; `organisation`: every member of the owner's organisation.",
});

export const MissedTicks = Type.Object({
  first: Type.String(),
  last: Type.String(),
  count: Type.Integer(),
  detected_at: Type.String(),
});

export const TriggerInfo = Type.Object(
  {
    type: Type.String(),
    webhook_url: Type.Optional(
      Type.String({
        description: 'webhook and customerio_webhook: where to send deliveries (keep it secret).',
      }),
    ),
    schedule: Type.Optional(
      Type.Object({
        cron: Type.String(),
        timezone: Type.String(),
        next_run_at: Type.Union([Type.String(), Type.Null()]),
        missed: Type.Array(MissedTicks, {
          description: 'Ticks that passed while the server was down (not run).',
        }),
      }),
    ),
  },
  { description: 'The trigger and how to reach it.' },
);

const WorkflowFields = {
  id: Type.String(),
  name: Type.String(),
  owner: Type.String({ description: "The owner's email (or CLI user name)." }),
  visibility: Visibility,
  version: Type.Integer({ description: 'The current version (saving a change adds one).' }),
  created_at: Type.String(),
  updated_at: Type.String(),
  trigger: TriggerInfo,
};

export const WorkflowSummary = Type.Object(WorkflowFields);
/** A workflow in a list: what it is triggered by and how its newest run went. */
export const WorkflowListItem = Type.Object(
  {
    ...WorkflowFields,
    trigger_type: Type.String({ description: 'The trigger type (manual, webhook, schedule, …).' }),
    last_run: Type.Union(
      [Type.Object({ id: Type.String(), status: Type.String(), created_at: Type.String() }), Type.Null()],
      { description: 'The newest run, null when it has never run.' },
    ),
  },
  { title: 'WorkflowListItem' },
);
export const WorkflowView = Type.Object(
  {
    ...WorkflowFields,
    document: Type.Unknown({ description: 'The workflow document (trigger secrets shown as [REDACTED]).' }),
  },
  { title: 'Workflow' },
);

export const WorkflowVersions = Type.Object({
  versions: Type.Array(
    Type.Object({
      version: Type.Integer(),
      created_at: Type.String(),
      created_by: Type.Union([Type.String(), Type.Null()]),
      document: Type.Unknown(),
    }),
  ),
});

export const RunSummary = Type.Omit(RunView, ['steps'], { title: 'RunSummary' });
export { RunView, WorkflowDocument };

export const RunAccepted = Type.Object({
  id: Type.String(),
  status: Type.String(),
  url: Type.String({ description: 'Where to read the run.' }),
});

export const Ok = (schema: TSchema, description: string): TSchema => ({ ...schema, description });
