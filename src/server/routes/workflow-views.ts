/** Finding a workflow the caller may see (else 404), may change (else 403), and showing it. */
import { ValidationError, type ValidationIssue } from '../../errors.js';
import type { ConnectorId } from '../../regions.js';
import type { VisibleWorkflow } from '../../store/workflow-access.js';
import type { Step, WorkflowDocument } from '../../workflows/document.js';
import { workflowIssues } from '../../workflows/validate.js';
import { HttpError, notFound } from '../http-error.js';
import type { RouteContext } from '../route.js';
import { triggerIssues } from '../triggers/check.js';
import { maskTriggerSecret, sealTriggerSecret, webhookToken } from '../triggers/secrets.js';

export async function visibleWorkflow(ctx: RouteContext, id: string): Promise<VisibleWorkflow> {
  const workflow = await ctx.services.access.getVisible(ctx.principal.user.id, id);
  // Another user's private workflow is indistinguishable from none at all.
  if (workflow === undefined) throw notFound(`Workflow ${id}`);
  return workflow;
}

async function mayChange(ctx: RouteContext, workflow: VisibleWorkflow): Promise<boolean> {
  const user = ctx.principal.user;
  if (workflow.ownerId === user.id) return true;
  return (
    workflow.organisationId !== null && (await ctx.services.access.isAdmin(user.id, workflow.organisationId))
  );
}

/** Its owner, or an admin of the organisation it is shared with, may change or delete it. */
export async function changeableWorkflow(ctx: RouteContext, id: string): Promise<VisibleWorkflow> {
  const workflow = await visibleWorkflow(ctx, id);
  if (await mayChange(ctx, workflow)) return workflow;
  throw new HttpError(
    403,
    'forbidden',
    `Only its owner (${workflow.owner}) or an organisation admin can change workflow ${id}`,
  );
}

export async function workflowView(
  ctx: RouteContext,
  workflow: VisibleWorkflow,
  withDocument: boolean,
): Promise<Record<string, unknown>> {
  const type = workflow.document.trigger.type;
  const trigger: Record<string, unknown> = { type };
  // The webhook URL starts runs as the owner (with the owner's authentications): it is shown only
  // to those who may change the workflow, not to every member it is shared with.
  if ((type === 'webhook' || type === 'customerio_webhook') && (await mayChange(ctx, workflow))) {
    const path = `/hooks/${workflow.id}/${webhookToken(ctx.services.connection.master, workflow)}`;
    trigger['webhook_url'] = `${ctx.request.protocol}://${ctx.request.host}${path}`;
  }
  if (type === 'schedule') {
    const status = await ctx.services.scheduler.status(workflow.id);
    if (status !== undefined) trigger['schedule'] = status;
  }
  return {
    id: workflow.id,
    name: workflow.name,
    owner: workflow.owner,
    visibility: workflow.organisationId === null ? 'private' : 'organisation',
    version: workflow.currentVersion,
    created_at: workflow.createdAt,
    updated_at: workflow.updatedAt,
    trigger,
    ...(withDocument ? { document: maskTriggerSecret(workflow.document) } : {}),
  };
}

/**
 * Checks and saves a document as a new workflow of the caller, or a new version of `existing`:
 * the document (schema, operations, references, static inputs), its authentications as the
 * owner sees them, and the trigger's settings, all reported at once.
 */
export async function saveWorkflow(
  ctx: RouteContext,
  body: unknown,
  visibility: 'private' | 'organisation' | undefined,
  existing?: VisibleWorkflow,
): Promise<VisibleWorkflow> {
  const ownerId = existing?.ownerId ?? ctx.principal.user.id;
  const auth = ctx.services.authFor(ownerId);
  const lookup = (name: string): ConnectorId | undefined => {
    try {
      return auth.get(name).connector;
    } catch {
      return undefined;
    }
  };
  const issues = workflowIssues(body, { authentication: lookup });
  if (issues.length === 0) issues.push(...triggerIssues((body as WorkflowDocument).trigger));
  if (issues.length === 0 && ownerId !== ctx.principal.user.id)
    issues.push(...borrowedAuthentications((body as WorkflowDocument).steps, auth, existing?.owner ?? ''));
  if (issues.length > 0) throw new ValidationError('Invalid workflow', issues);
  const document = sealTriggerSecret(
    ctx.services.connection.master,
    body as WorkflowDocument,
    existing?.document,
  );
  let organisationId: number | null | undefined;
  if (visibility === 'organisation') {
    organisationId = ctx.principal.user.organisationId;
    if (organisationId === null)
      throw new HttpError(400, 'validation', 'You belong to no organisation to share with');
  } else if (visibility === 'private') organisationId = null;
  const saved = await ctx.services.workflows.saveWorkflow({
    ownerId,
    document,
    workflowId: existing?.id,
    organisationId,
  });
  await ctx.services.scheduler.refresh(saved.workflow.id);
  const view = await ctx.services.access.get(saved.workflow.id);
  if (view === undefined) throw notFound(`Workflow ${saved.workflow.id}`);
  return view;
}

/**
 * An admin may change a workflow another member owns, but the runs of its webhook and schedule
 * triggers use the owner's authentications: so whoever is not the owner may only save steps whose
 * authentication is an Organisational one named in the step, never the owner's Personal ones nor
 * the owner's default (that would let them send anything with a key they were never given).
 */
function borrowedAuthentications(
  steps: readonly Step[],
  auth: { get(name: string): { scope: string } },
  owner: string,
  at = '/steps',
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  steps.forEach((step, i) => {
    if (step.authentication !== undefined && auth.get(step.authentication).scope === 'personal')
      issues.push({
        path: `${at}/${String(i)}/authentication`,
        message: `"${step.authentication}" is ${owner}'s Personal authentication: only they may save steps that use it (use an Organisational authentication)`,
      });
    // Without a name the step would use the owner's default, which may be (or become) Personal.
    if (step.operation !== undefined && step.authentication === undefined)
      issues.push({
        path: `${at}/${String(i)}/authentication`,
        message: `is required when someone other than its owner (${owner}) saves the workflow: name an Organisational authentication (the owner's default may be Personal)`,
      });
    if (step.steps !== undefined)
      issues.push(...borrowedAuthentications(step.steps, auth, owner, `${at}/${String(i)}/steps`));
  });
  return issues;
}
