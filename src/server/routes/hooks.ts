/**
 * `POST /hooks/:workflowId/:token`: the public door of webhook and Customer.io webhook triggers
 * (no login; the token in the URL is the workflow's, derived from the master key).
 *
 * - `webhook`: the JSON body, headers and query become `$.trigger`; an optional shared secret
 *   requires `X-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>` (or the header the
 *   trigger names); `Idempotency-Key` starts at most one run per key; the answer is 202 with the
 *   run id or, with `"respond": "when_finished"`, the run's output.
 * - `customerio_webhook`: X-CIO-Timestamp / X-CIO-Signature verified with `verifyWebhook` under the
 *   workflow's signing key, within the replay window; each `event_id` starts at most one run.
 *
 * A wrong token, or a workflow without such a trigger, is a 404; a bad or missing signature a
 * 401. Neither starts anything.
 *
 * `POST /api/workflows/:id/webhook-token` rotates the token (owner or organisation admin): the
 * old URL answers 404 from then on; the answer carries the new URL.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Type, type Static } from '../../json-schema.js';
import type { RunView } from '../../engine/view.js';
import { isRecord } from '../../errors.js';
import { verifyWebhookRequest } from '../../webhooks/verify.js';
import { HttpError, notFound } from '../http-error.js';
import { route, type RouteContext, type RouteDef } from '../route.js';
import { isWebhookToken, triggerSecret, webhookToken } from '../triggers/secrets.js';
import { changeableWorkflow } from './workflow-views.js';

const HookParams = Type.Object({
  workflowId: Type.String({ maxLength: 100 }),
  token: Type.String({ maxLength: 200 }),
});
const HookAccepted = Type.Object({
  id: Type.Union([Type.String(), Type.Null()], {
    description: 'The run (null if a duplicate whose run was pruned).',
  }),
  status: Type.String(),
  duplicate: Type.Optional(Type.Boolean()),
});

/** Request headers kept in `$.trigger.headers` (never cookies or credentials). */
const DROPPED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-cio-signature']);
const MAX_KEY_LENGTH = 255;

function triggerHeaders(
  headers: Record<string, string | string[] | undefined>,
  drop: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED_HEADERS.has(name) || name === drop) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function header(ctx: RouteContext, name: string): string | undefined {
  const value = ctx.request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function checkHmac(ctx: RouteContext, secret: string, headerName: string): void {
  const given = header(ctx, headerName);
  if (given === undefined)
    throw new HttpError(
      401,
      'unauthorized',
      `The ${headerName} header is required (HMAC-SHA256 of the body)`,
    );
  const hex = given.startsWith('sha256=') ? given.slice('sha256='.length) : given;
  const expected = createHmac('sha256', secret)
    .update(ctx.request.rawBody ?? '')
    .digest();
  const actual = /^[0-9a-fA-F]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : Buffer.alloc(0);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw new HttpError(401, 'unauthorized', `The ${headerName} signature does not match the body`);
}

async function answer(
  ctx: RouteContext,
  runId: string,
  duplicate: boolean,
  whenFinished: boolean,
): Promise<unknown> {
  if (runId === '') {
    void ctx.reply.code(200);
    return { id: null, status: 'duplicate', duplicate: true };
  }
  if (!whenFinished) {
    void ctx.reply.code(202);
    return { id: runId, status: 'queued', ...(duplicate ? { duplicate: true } : {}) };
  }
  const run: RunView = await ctx.services.engine.waitForRun(runId);
  void ctx.reply.header('x-cioc-run-id', run.id);
  if (run.status === 'succeeded') {
    void ctx.reply.code(200);
    return run.output;
  }
  if (run.status !== 'failed') {
    void ctx.reply.code(202);
    return { id: run.id, status: run.status };
  }
  throw new HttpError(500, 'run_failed', run.error?.message ?? 'The run failed', {
    run_id: run.id,
    ...(run.error?.step === undefined ? {} : { step: run.error.step }),
  });
}

export const hookRoutes: RouteDef[] = [
  route({
    method: 'POST',
    url: '/hooks/:workflowId/:token',
    summary:
      'Start a run from a webhook or a Customer.io reporting webhook (no login; the URL is the secret)',
    tags: ['triggers'],
    auth: false,
    schema: {
      params: HookParams,
      documentedBody: Type.Unknown({ description: 'Any JSON (webhook), or a Customer.io reporting event.' }),
      response: { 202: HookAccepted },
    },
    async handler(ctx) {
      const { workflowId, token } = ctx.request.params as Static<typeof HookParams>;
      const { connection, access, engine } = ctx.services;
      const workflow = await access.get(workflowId);
      const type = workflow?.document.trigger.type;
      if (
        workflow === undefined ||
        !isWebhookToken(connection.master, workflow, token) ||
        (type !== 'webhook' && type !== 'customerio_webhook')
      )
        throw notFound('This webhook');
      const trigger = workflow.document.trigger as Record<string, unknown>;
      const secret = triggerSecret(connection.master, workflow.document);
      const query = Object.fromEntries(
        Object.entries(ctx.request.query as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      );

      if (type === 'customerio_webhook') {
        if (secret === undefined) throw new HttpError(401, 'unauthorized', 'This trigger has no signing key');
        const tolerance =
          typeof trigger['tolerance_seconds'] === 'number' ? trigger['tolerance_seconds'] : undefined;
        const verdict = verifyWebhookRequest(
          { headers: ctx.request.headers, rawBody: ctx.request.rawBody ?? '' },
          secret,
          {
            now: Math.floor(ctx.services.clock.now() / 1000),
            ...(tolerance === undefined ? {} : { toleranceSeconds: tolerance }),
          },
        );
        if (!verdict.ok)
          throw new HttpError(401, 'unauthorized', verdict.message, { reason: verdict.reason });
        const eventId = isRecord(verdict.event) ? verdict.event['event_id'] : undefined;
        if (typeof eventId !== 'string' || eventId === '' || eventId.length > MAX_KEY_LENGTH)
          throw new HttpError(400, 'validation', 'The event has no event_id');
        const before = await access.triggerKeys(workflowId, `cio:${eventId}`, 1);
        const runId = await engine.startRun(
          { workflowId },
          {
            type: 'customerio_webhook',
            body: verdict.event,
            headers: triggerHeaders(ctx.request.headers, undefined),
            query,
          },
          { idempotencyKey: `cio:${eventId}` },
        );
        return answer(
          ctx,
          runId,
          before.some((k) => k.key === `cio:${eventId}`),
          false,
        );
      }

      const signatureHeader =
        typeof trigger['signature_header'] === 'string'
          ? trigger['signature_header'].toLowerCase()
          : 'x-signature-256';
      if (secret !== undefined) checkHmac(ctx, secret, signatureHeader);
      const key = header(ctx, 'idempotency-key');
      if (key !== undefined && (key === '' || key.length > MAX_KEY_LENGTH))
        throw new HttpError(
          400,
          'validation',
          `Idempotency-Key must be 1–${String(MAX_KEY_LENGTH)} characters`,
        );
      const idempotencyKey = key === undefined ? undefined : `webhook:${key}`;
      const before =
        idempotencyKey === undefined ? [] : await access.triggerKeys(workflowId, idempotencyKey, 1);
      const runId = await engine.startRun(
        { workflowId },
        {
          type: 'webhook',
          body: ctx.request.body ?? {},
          headers: triggerHeaders(ctx.request.headers, secret === undefined ? undefined : signatureHeader),
          query,
        },
        { idempotencyKey },
      );
      return answer(
        ctx,
        runId,
        before.some((k) => k.key === idempotencyKey),
        trigger['respond'] === 'when_finished',
      );
    },
  }),
  route({
    method: 'POST',
    url: '/api/workflows/:id/webhook-token',
    summary: "Rotate the workflow's webhook token (the previous URL stops working at once)",
    tags: ['triggers'],
    schema: {
      params: Type.Object({ id: Type.String({ maxLength: 100 }) }),
      response: { 200: Type.Object({ webhook_url: Type.String() }) },
    },
    async handler(ctx) {
      const { id } = ctx.request.params as { id: string };
      const workflow = await changeableWorkflow(ctx, id);
      const type = workflow.document.trigger.type;
      if (type !== 'webhook' && type !== 'customerio_webhook')
        throw new HttpError(
          409,
          'conflict',
          `Workflow ${id} has a ${type} trigger; only webhook triggers have a token`,
        );
      const hookGeneration = await ctx.services.access.rotateHookToken(id);
      const token = webhookToken(ctx.services.connection.master, { id, hookGeneration });
      return { webhook_url: `${ctx.request.protocol}://${ctx.request.host}/hooks/${id}/${token}` };
    },
  }),
];
