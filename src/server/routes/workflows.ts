/** Workflows, their versions, their runs, and replays. */
import { Type, type Static } from '../../json-schema.js';
import { runView, type RunView as RunViewT } from '../../engine/view.js';
import { ValidationError } from '../../errors.js';
import { HttpError, notFound } from '../http-error.js';
import { maskTriggerSecret } from '../triggers/secrets.js';
import { route, type RouteContext, type RouteDef } from '../route.js';
import {
  IdParams,
  RunAccepted,
  RunSummary,
  RunView,
  Visibility,
  WorkflowDocument,
  WorkflowListItem,
  WorkflowVersions,
  WorkflowView,
} from '../schemas.js';
import { changeableWorkflow, saveWorkflow, visibleWorkflow, workflowView } from './workflow-views.js';

const SaveQuery = Type.Object({ visibility: Type.Optional(Visibility) });
const RunQuery = Type.Object({
  wait: Type.Optional(Type.Boolean({ description: 'Answer when the run has finished, with the run.' })),
  timeout_ms: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 600_000,
      description: 'With wait: the longest wait (default 300 000).',
    }),
  ),
});
const ListRunsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  before: Type.Optional(Type.String({ description: 'The `next` cursor of the previous page.' })),
  status: Type.Optional(
    Type.Union([
      Type.Literal('queued'),
      Type.Literal('running'),
      Type.Literal('succeeded'),
      Type.Literal('failed'),
    ]),
  ),
});
const ReplayBody = Type.Object(
  {
    version: Type.Optional(
      Type.Union([Type.Literal('original'), Type.Literal('latest')], {
        description: 'The workflow version to run (default: the one the run ran).',
      }),
    ),
    resend_unknown: Type.Optional(
      Type.Boolean({ description: 'Send again a step whose delivery is unknown (it may have arrived).' }),
    ),
    wait: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const ReplayFailedBody = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    version: Type.Optional(Type.Union([Type.Literal('original'), Type.Literal('latest')])),
  },
  { additionalProperties: false },
);

async function visibleRun(ctx: RouteContext, id: string): Promise<RunViewT> {
  const run = await ctx.services.engine.getRun(id);
  if (run === undefined) throw notFound(`Run ${id}`);
  // A run is visible to whoever may see its workflow.
  await visibleWorkflow(ctx, run.workflow_id).catch(() => {
    throw notFound(`Run ${id}`);
  });
  return run;
}

function accepted(ctx: RouteContext, id: string): Static<typeof RunAccepted> {
  void ctx.reply.code(202);
  return { id, status: 'queued', url: `/api/runs/${id}` };
}

export const workflowRoutes: RouteDef[] = [
  route({
    method: 'POST',
    url: '/api/workflows',
    summary: 'Save a new workflow (the document)',
    tags: ['workflows'],
    schema: { querystring: SaveQuery, documentedBody: WorkflowDocument, response: { 201: WorkflowView } },
    async handler(ctx) {
      const { visibility } = ctx.request.query as Static<typeof SaveQuery>;
      const saved = await saveWorkflow(ctx, ctx.request.body, visibility);
      void ctx.reply.code(201);
      return workflowView(ctx, saved, true);
    },
  }),
  route({
    method: 'GET',
    url: '/api/workflows',
    summary: 'The workflows you may see: yours and those shared with your organisation',
    tags: ['workflows'],
    schema: { response: { 200: Type.Object({ workflows: Type.Array(WorkflowListItem) }) } },
    async handler(ctx) {
      const workflows = await ctx.services.access.listVisible(ctx.principal.user.id);
      const lastRuns = await ctx.services.access.lastRuns(workflows.map((w) => w.id));
      return {
        workflows: await Promise.all(
          workflows.map(async (w) => ({
            ...(await workflowView(ctx, w, false)),
            trigger_type: w.document.trigger.type,
            last_run: lastRuns.get(w.id) ?? null,
          })),
        ),
      };
    },
  }),
  route({
    method: 'GET',
    url: '/api/workflows/:id',
    summary: 'A workflow with its current document',
    tags: ['workflows'],
    schema: { params: IdParams, response: { 200: WorkflowView } },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      return workflowView(ctx, await visibleWorkflow(ctx, id), true);
    },
  }),
  route({
    method: 'PUT',
    url: '/api/workflows/:id',
    summary: 'Save a new version of a workflow (an unchanged document keeps the version)',
    tags: ['workflows'],
    schema: {
      params: IdParams,
      querystring: SaveQuery,
      documentedBody: WorkflowDocument,
      response: { 200: WorkflowView },
    },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      const { visibility } = ctx.request.query as Static<typeof SaveQuery>;
      const existing = await changeableWorkflow(ctx, id);
      return workflowView(ctx, await saveWorkflow(ctx, ctx.request.body, visibility, existing), true);
    },
  }),
  route({
    method: 'DELETE',
    url: '/api/workflows/:id',
    summary: 'Delete a workflow with its versions and runs',
    tags: ['workflows'],
    schema: {
      params: IdParams,
      response: { 200: Type.Object({ id: Type.String(), deleted: Type.Literal(true) }) },
    },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      await changeableWorkflow(ctx, id);
      await ctx.services.workflows.deleteWorkflow(id);
      await ctx.services.scheduler.refresh(id);
      return { id, deleted: true as const };
    },
  }),
  route({
    method: 'GET',
    url: '/api/workflows/:id/versions',
    summary: 'Every saved version of a workflow, newest first',
    tags: ['workflows'],
    schema: { params: IdParams, response: { 200: WorkflowVersions } },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      await visibleWorkflow(ctx, id);
      const versions = await ctx.services.workflows.listWorkflowVersions(id);
      const names = new Map<number, string>();
      for (const v of versions) {
        if (v.createdBy !== null && !names.has(v.createdBy)) {
          const user = await ctx.services.accounts.getUser(v.createdBy);
          names.set(v.createdBy, user?.email ?? user?.name ?? String(v.createdBy));
        }
      }
      return {
        versions: versions.map((v) => ({
          version: v.version,
          created_at: v.createdAt,
          created_by: v.createdBy === null ? null : (names.get(v.createdBy) ?? null),
          document: maskTriggerSecret(v.document),
        })),
      };
    },
  }),
  route({
    method: 'POST',
    url: '/api/workflows/:id/runs',
    summary: 'Run a workflow now (manual trigger; the body becomes $.trigger.body)',
    tags: ['runs'],
    schema: {
      params: IdParams,
      querystring: RunQuery,
      documentedBody: Type.Unknown({ description: 'Any JSON: the trigger body.' }),
      response: { 202: RunAccepted, 200: RunView },
    },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      const query = ctx.request.query as Static<typeof RunQuery>;
      await visibleWorkflow(ctx, id);
      // A run started by hand uses its starter's authentications (their Personal ones and the
      // organisation's), never the owner's Personal ones: sharing a workflow shares no secret.
      const runId = await ctx.services.engine.startRun(
        { workflowId: id, runAs: ctx.principal.user.id },
        { type: 'manual', body: ctx.request.body ?? {}, headers: {}, query: {} },
      );
      if (query.wait !== true) return accepted(ctx, runId);
      return ctx.services.engine.waitForRun(runId, { timeoutMs: query.timeout_ms ?? 300_000 });
    },
  }),
  route({
    method: 'GET',
    url: '/api/workflows/:id/runs',
    summary: "A workflow's runs, newest first (paginated with `before`)",
    tags: ['runs'],
    schema: {
      params: IdParams,
      querystring: ListRunsQuery,
      response: {
        200: Type.Object({ runs: Type.Array(RunSummary), next: Type.Union([Type.String(), Type.Null()]) }),
      },
    },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      const query = ctx.request.query as Static<typeof ListRunsQuery>;
      await visibleWorkflow(ctx, id);
      const limit = query.limit ?? 50;
      const runs = await ctx.services.workflows.listRuns({
        workflowId: id,
        limit: limit + 1,
        before: query.before,
        status: query.status,
      });
      const page = runs.slice(0, limit);
      return {
        runs: page.map((r) => {
          const { steps: _steps, ...summary } = runView(r, []);
          return summary;
        }),
        next: runs.length > limit ? (page.at(-1)?.id ?? null) : null,
      };
    },
  }),
  route({
    method: 'POST',
    url: '/api/workflows/:id/runs/replay',
    summary: 'Replay every failed run of a workflow created in a time range',
    tags: ['runs'],
    schema: {
      params: IdParams,
      body: ReplayFailedBody,
      response: {
        202: Type.Object({
          ids: Type.Array(Type.String(), { description: 'The replays started' }),
          skipped: Type.Array(Type.Object({ run_id: Type.String(), reason: Type.String() }), {
            description:
              'Failed runs not replayed, and why (already replayed, or a send that may have been delivered)',
          }),
        }),
      },
    },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      const body = ctx.request.body as Static<typeof ReplayFailedBody>;
      await visibleWorkflow(ctx, id);
      const result = await ctx.services.engine.replayFailed(
        id,
        {
          ...(body.from === undefined ? {} : { from: body.from }),
          ...(body.to === undefined ? {} : { to: body.to }),
        },
        { version: body.version, runAs: ctx.principal.user.id },
      );
      void ctx.reply.code(202);
      return {
        ids: result.started,
        skipped: result.skipped.map((s) => ({ run_id: s.runId, reason: s.reason })),
      };
    },
  }),
  route({
    method: 'GET',
    url: '/api/runs/:id',
    summary: 'A run with its steps (inputs, outputs, errors, redacted HTTP exchanges)',
    tags: ['runs'],
    schema: { params: IdParams, response: { 200: RunView } },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      return visibleRun(ctx, id);
    },
  }),
  route({
    method: 'POST',
    url: '/api/runs/:id/replay',
    summary: 'Re-run a finished run from its first failed step (earlier results reused, same generated ids)',
    tags: ['runs'],
    schema: { params: IdParams, body: ReplayBody, response: { 202: RunAccepted, 200: RunView } },
    async handler(ctx) {
      const { id } = ctx.request.params as Static<typeof IdParams>;
      const body = (ctx.request.body ?? {}) as Static<typeof ReplayBody>;
      await visibleRun(ctx, id);
      let replayId: string;
      try {
        replayId = await ctx.services.engine.replay(id, {
          version: body.version,
          resendUnknown: body.resend_unknown,
          runAs: ctx.principal.user.id,
        });
      } catch (error) {
        if (error instanceof ValidationError) throw new HttpError(409, 'conflict', error.message);
        throw error;
      }
      if (body.wait !== true) return accepted(ctx, replayId);
      return ctx.services.engine.waitForRun(replayId);
    },
  }),
];
