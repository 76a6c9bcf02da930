/**
 * The workflow as a vertical flow: the trigger card, then the steps; a loop is a block with its
 * nested steps inside, a step with a `when` sits in a branch that says when it runs. "Add step"
 * between any two steps and inside every loop.
 */
import type { OperationSummary, Step, StepRun, WorkflowDocument } from '../types.js';
import { StatusBadge } from '../ui/feedback.js';
import { TRIGGER_LABELS } from '../pages/workflows.js';
import { CONNECTOR_NAMES } from '../ui/auth-modal.js';
import { connectorOf } from './catalogue.js';
import { isLoop, samePath, type StepIssues, type StepPath } from './doc-edit.js';

export type Selection = { kind: 'trigger' } | { kind: 'step'; path: StepPath };

export interface FlowProps {
  doc: WorkflowDocument;
  selection: Selection | undefined;
  onSelect: (selection: Selection) => void;
  onAdd: (container: StepPath, index: number) => void;
  operations: ReadonlyMap<string, OperationSummary>;
  issues: ReadonlyMap<string, StepIssues>;
  /** The steps of the run shown in the debug panel, by step id (the last iteration in a loop). */
  runSteps: ReadonlyMap<string, StepRun>;
}

export function conditionText(step: Step): string | undefined {
  const when = step.when;
  if (when === undefined) return undefined;
  const path = when.path.replace(/^\{\{\s*|\s*\}\}$/g, '');
  const ops: [keyof typeof when, string][] = [
    ['equals', '='],
    ['not_equals', '≠'],
    ['gt', '>'],
    ['lt', '<'],
    ['contains', 'contains'],
  ];
  if (when.exists === true) return `${path} exists`;
  if (when.not_exists === true) return `${path} does not exist`;
  for (const [key, sign] of ops) if (key in when) return `${path} ${sign} ${JSON.stringify(when[key])}`;
  return path;
}

function AddStep(props: {
  container: StepPath;
  index: number;
  after: string | undefined;
  onAdd: FlowProps['onAdd'];
}) {
  return (
    <li class="add-step">
      <button
        type="button"
        class="add-step-button"
        title={props.after === undefined ? 'Add a step here' : `Add a step after ${props.after}`}
        onClick={() => props.onAdd(props.container, props.index)}
      >
        <span aria-hidden="true">+ </span>Add step
      </button>
    </li>
  );
}

function StepList(props: FlowProps & { steps: readonly Step[]; container: StepPath }) {
  const { steps, container } = props;
  return (
    <>
      <AddStep container={container} index={0} after={undefined} onAdd={props.onAdd} />
      {steps.map((step, i) => (
        <StepItem key={`${step.id}-${String(i)}`} {...props} step={step} path={[...container, i]} index={i} />
      ))}
    </>
  );
}

function StepItem(props: FlowProps & { step: Step; path: StepPath; index: number; container: StepPath }) {
  const { step, path } = props;
  const selected = props.selection?.kind === 'step' && samePath(props.selection.path, path);
  const condition = conditionText(step);
  const issueCount = (() => {
    const i = props.issues.get(path.join('.'));
    if (i === undefined) return 0;
    return i.step.length + [...i.input.values()].reduce((n, list) => n + list.length, 0);
  })();
  const run = props.runSteps.get(step.id);
  const loop = isLoop(step);
  const op = step.operation === undefined ? undefined : props.operations.get(step.operation);
  const card = (
    <div class={`step-block${loop ? ' loop' : ''}`}>
      <button
        type="button"
        class={`step-card${selected ? ' selected' : ''}${issueCount > 0 ? ' has-issues' : ''}`}
        aria-pressed={selected}
        onClick={() => props.onSelect({ kind: 'step', path })}
      >
        <span
          class={`step-icon connector-${loop ? 'loop' : (connectorOf(step.operation) ?? 'none')}`}
          aria-hidden="true"
        >
          {loop ? '↻' : (connectorOf(step.operation) ?? '?').charAt(0).toUpperCase()}
        </span>
        <span class="step-text">
          <span class="step-title">
            {loop ? `For each item of ${step.for_each ?? '…'}` : (op?.title ?? step.operation ?? 'Step')}
          </span>
          <span class="step-meta">
            <code>{step.id}</code>
            {loop
              ? ` · loop${step.concurrency === undefined ? '' : `, ${String(step.concurrency)} at once`}`
              : ` · ${CONNECTOR_NAMES[connectorOf(step.operation) ?? ''] ?? 'unknown connector'}`}
            {step.authentication === undefined || loop ? null : ` · ${step.authentication}`}
          </span>
        </span>
        <span class="step-badges">
          {issueCount > 0 ? (
            <span class="badge badge-failed">
              {issueCount} {issueCount === 1 ? 'problem' : 'problems'}
            </span>
          ) : null}
          {run === undefined ? null : <StatusBadge status={run.status} />}
        </span>
      </button>
      {loop ? (
        <ol class="flow nested" aria-label={`Steps of the loop ${step.id}`}>
          <StepList {...props} steps={step.steps ?? []} container={path} />
        </ol>
      ) : null}
    </div>
  );
  return (
    <>
      <li class="flow-item">
        {condition === undefined ? (
          card
        ) : (
          <div class="branch">
            <div class="branch-head">
              <span class="branch-diamond" aria-hidden="true">
                ◇
              </span>{' '}
              Only if <code>{condition}</code>
              <span class="muted"> — otherwise skipped</span>
            </div>
            <div class="branch-body">{card}</div>
          </div>
        )}
      </li>
      <AddStep container={props.container} index={props.index + 1} after={step.id} onAdd={props.onAdd} />
    </>
  );
}

export function Flow(props: FlowProps & { webhookUrl: string | undefined }) {
  const trigger = props.doc.trigger;
  const selected = props.selection?.kind === 'trigger';
  return (
    <ol class="flow" aria-label="Workflow steps">
      <li class="flow-item">
        <button
          type="button"
          class={`step-card trigger-card${selected ? ' selected' : ''}`}
          aria-pressed={selected}
          onClick={() => props.onSelect({ kind: 'trigger' })}
        >
          <span class="step-icon connector-trigger" aria-hidden="true">
            ⚡
          </span>
          <span class="step-text">
            <span class="step-title">Trigger: {TRIGGER_LABELS[trigger.type] ?? trigger.type}</span>
            <span class="step-meta">
              {trigger.type === 'schedule'
                ? `${trigger.cron ?? 'no cron yet'}${trigger.timezone === undefined ? '' : ` (${trigger.timezone})`}`
                : trigger.type === 'manual'
                  ? 'Started by hand, with an optional JSON body'
                  : (props.webhookUrl ?? 'The webhook URL appears once saved')}
            </span>
          </span>
        </button>
      </li>
      <StepList {...props} steps={props.doc.steps} container={[]} />
    </ol>
  );
}
