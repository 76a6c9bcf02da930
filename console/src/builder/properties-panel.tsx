/**
 * The properties panel of the highlighted step: tabs "Properties" (the step's settings and the form
 * generated from its operation's input schema) and "Authenticate" (the "Authentication" drop-down,
 * "New authentication", "Test"). For the trigger: its type and settings.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { SchemaForm } from '../form/schema-form.js';
import type {
  Authentication,
  Condition,
  Step,
  TestReport,
  Trigger,
  TriggerType,
  WorkflowDocument,
} from '../types.js';
import { CONNECTOR_NAMES, NewAuthenticationModal, regionLabel, TestResult } from '../ui/auth-modal.js';
import { ErrorBox, Loading } from '../ui/feedback.js';
import { CopyButton } from '../ui/json-view.js';
import { Tabs } from '../ui/tabs.js';
import { connectorOf, useOperation } from './catalogue.js';
import { isLoop, stepIdProblem, type StepIssues, type StepPath } from './doc-edit.js';
import { TRIGGER_LABELS } from '../pages/workflows.js';

export interface StepPanelProps {
  doc: WorkflowDocument;
  path: StepPath;
  step: Step;
  issues: StepIssues | undefined;
  onChange: (change: (step: Step) => Step) => void;
  onRename: (id: string) => void;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
  pickReference: (label: string, insert: (expression: string) => void) => void;
}

type TabKey = 'properties' | 'authenticate';

export function StepPanel(props: StepPanelProps) {
  const [tab, setTab] = useState<TabKey>('properties');
  const loop = isLoop(props.step);
  const { detail } = useOperation(props.step.operation);
  return (
    <aside class="panel" aria-labelledby="panel-title">
      <div class="panel-head">
        <h2 id="panel-title">{loop ? 'Loop' : (detail?.title ?? props.step.operation ?? 'Step')}</h2>
        <p class="muted">
          <code>{props.step.id}</code>
          {loop ? null : ` · ${CONNECTOR_NAMES[connectorOf(props.step.operation) ?? ''] ?? ''}`}
        </p>
      </div>
      <Tabs
        label="Step"
        tabs={[
          { key: 'properties', label: 'Properties' },
          { key: 'authenticate', label: 'Authenticate' },
        ]}
        selected={tab}
        onSelect={setTab}
      >
        {tab === 'properties' ? <PropertiesTab {...props} /> : <AuthenticateTab {...props} />}
      </Tabs>
    </aside>
  );
}

function StepIdField(props: StepPanelProps) {
  const [text, setText] = useState(props.step.id);
  useEffect(() => setText(props.step.id), [props.step.id]);
  const problem = stepIdProblem(props.doc, props.path, text);
  return (
    <div class="field">
      <label for="step-id">Step ID</label>
      <input
        id="step-id"
        class="mono"
        value={text}
        aria-invalid={problem !== undefined}
        aria-describedby="step-id-help"
        onInput={(e) => setText(e.currentTarget.value)}
        onBlur={() => {
          if (problem === undefined && text !== props.step.id) props.onRename(text);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && problem === undefined && text !== props.step.id) props.onRename(text);
        }}
      />
      <p class={problem === undefined ? 'help' : 'field-error'} id="step-id-help">
        {problem ?? `Later steps read this step as $.steps.${props.step.id}; renaming updates them.`}
      </p>
    </div>
  );
}

const OPERATORS = ['equals', 'not_equals', 'gt', 'lt', 'contains', 'exists', 'not_exists'] as const;
type Operator = (typeof OPERATORS)[number];
const OPERATOR_LABELS: Record<Operator, string> = {
  equals: 'equals',
  not_equals: 'does not equal',
  gt: 'is greater than',
  lt: 'is less than',
  contains: 'contains',
  exists: 'exists',
  not_exists: 'does not exist',
};

function operatorOf(when: Condition): Operator {
  return OPERATORS.find((o) => o in when) ?? 'equals';
}

function operandText(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
}

/** An operand typed in: JSON when it parses (404, true), text otherwise. */
function operandValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function ConditionEditor(props: StepPanelProps) {
  const when = props.step.when;
  const set = (next: Condition | undefined): void =>
    props.onChange((s) => {
      const { when: _old, ...rest } = s;
      return next === undefined ? rest : { ...rest, when: next };
    });
  if (when === undefined)
    return (
      <button type="button" class="small" onClick={() => set({ path: '$.steps', exists: true })}>
        Add a condition
      </button>
    );
  const op = operatorOf(when);
  const unary = op === 'exists' || op === 'not_exists';
  return (
    <fieldset class="field group">
      <legend>Run only if</legend>
      <div class="field">
        <div class="field-head">
          <label for="when-path" id="when-path-label">
            Path
          </label>
          <button
            type="button"
            class="ref-button"
            aria-label="Insert reference"
            aria-describedby="when-path-label"
            onClick={() =>
              props.pickReference('Path', (expression) =>
                set({ ...when, path: expression.replace(/^\{\{\s*|\s*\}\}$/g, '') }),
              )
            }
          >
            {'{ }'}
          </button>
        </div>
        <input
          id="when-path"
          class="mono"
          value={when.path}
          onInput={(e) => set({ ...when, path: e.currentTarget.value })}
        />
      </div>
      <div class="field">
        <label for="when-op">Operator</label>
        <select
          id="when-op"
          value={op}
          onChange={(e) => {
            const next = e.currentTarget.value as Operator;
            const base: Condition = { path: when.path };
            const previous = unary ? undefined : when[op];
            if (next === 'exists' || next === 'not_exists') set({ ...base, [next]: true });
            else set({ ...base, [next]: previous ?? '' });
          }}
        >
          {OPERATORS.map((o) => (
            <option key={o} value={o}>
              {OPERATOR_LABELS[o]}
            </option>
          ))}
        </select>
      </div>
      {unary ? null : (
        <div class="field">
          <label for="when-value">Value</label>
          <input
            id="when-value"
            class="mono"
            aria-describedby="when-value-help"
            value={operandText(when[op])}
            onInput={(e) => set({ ...when, [op]: operandValue(e.currentTarget.value) })}
          />
          <p class="help" id="when-value-help">
            JSON (404, true, "text") or plain text.
          </p>
        </div>
      )}
      <button type="button" class="small danger" onClick={() => set(undefined)}>
        Remove the condition
      </button>
    </fieldset>
  );
}

function PropertiesTab(props: StepPanelProps) {
  const { step } = props;
  const loop = isLoop(step);
  const { detail, error } = useOperation(step.operation);
  const stepIssues = props.issues?.step ?? [];
  return (
    <div class="properties">
      {stepIssues.length > 0 ? (
        <div class="error-box" role="alert">
          {stepIssues.map((i) => (
            <p key={i.path + i.message}>
              <code>{i.path.replace(/^\//, '') || 'step'}</code> {i.message}
            </p>
          ))}
        </div>
      ) : null}
      <StepIdField {...props} />
      <div class="row-actions panel-actions">
        <button type="button" class="small" onClick={() => props.onMove(-1)}>
          Move up
        </button>
        <button type="button" class="small" onClick={() => props.onMove(1)}>
          Move down
        </button>
        <button type="button" class="small danger" onClick={props.onRemove}>
          Remove step
        </button>
      </div>
      {loop ? (
        <>
          <div class="field">
            <div class="field-head">
              <label for="loop-each" id="loop-each-label">
                For each item of
              </label>
              <button
                type="button"
                class="ref-button"
                aria-label="Insert reference"
                aria-describedby="loop-each-label"
                onClick={() =>
                  props.pickReference('For each item of', (x) =>
                    props.onChange((s) => ({ ...s, for_each: x })),
                  )
                }
              >
                {'{ }'}
              </button>
            </div>
            <input
              id="loop-each"
              class="mono"
              value={step.for_each ?? ''}
              aria-describedby="loop-each-help"
              onInput={(e) => {
                const v = e.currentTarget.value;
                props.onChange((s) => ({ ...s, for_each: v }));
              }}
            />
            <p class="help" id="loop-each-help">
              A reference to a list, e.g. {'{{ $.trigger.body.customers }}'}; nested steps read $.item and
              $.index.
            </p>
          </div>
          <div class="field">
            <label for="loop-concurrency">Concurrency</label>
            <input
              id="loop-concurrency"
              inputMode="numeric"
              value={step.concurrency === undefined ? '' : String(step.concurrency)}
              aria-describedby="loop-concurrency-help"
              onInput={(e) => {
                const n = Number(e.currentTarget.value);
                props.onChange((s) => {
                  const { concurrency: _c, ...rest } = s;
                  return e.currentTarget.value.trim() === '' || !Number.isInteger(n)
                    ? rest
                    : { ...rest, concurrency: n };
                });
              }}
            />
            <p class="help" id="loop-concurrency-help">
              Iterations at once, 1–50 (default 1).
            </p>
          </div>
        </>
      ) : null}
      <div class="field">
        <label for="step-on-error">When it fails</label>
        <select
          id="step-on-error"
          value={step.on_error ?? 'fail'}
          onChange={(e) => {
            const v = e.currentTarget.value === 'continue' ? 'continue' : 'fail';
            props.onChange((s) => {
              const { on_error: _o, ...rest } = s;
              return v === 'fail' ? rest : { ...rest, on_error: v };
            });
          }}
        >
          <option value="fail">Stop the run</option>
          <option value="continue">Continue with the next step</option>
        </select>
      </div>
      <ConditionEditor {...props} />
      {loop ? null : (
        <section class="input-section" aria-labelledby="input-title">
          <div class="section-head">
            <h3 id="input-title">Input</h3>
            {detail !== undefined && detail.examples.length > 0 ? (
              <button
                type="button"
                class="small"
                onClick={() => {
                  const example = detail.examples[0];
                  if (
                    example !== undefined &&
                    confirm(`Replace the input with the example “${example.summary}”?`)
                  )
                    props.onChange((s) => ({ ...s, input: example.input }));
                }}
              >
                Use the example
              </button>
            ) : null}
          </div>
          {detail === undefined ? null : <p class="help">{detail.description}</p>}
          <ErrorBox error={error} />
          {detail === undefined ? (
            error === undefined ? (
              <Loading label="Loading the operation’s schema…" />
            ) : null
          ) : (
            <SchemaForm
              schema={detail.input_schema}
              context={{
                value: step.input ?? {},
                onChange: (input) => props.onChange((s) => ({ ...s, input })),
                errors: props.issues?.input ?? new Map(),
                pickReference: props.pickReference,
                idPrefix: `in-${step.id}-`,
              }}
            />
          )}
        </section>
      )}
    </div>
  );
}

/** Authentications of a connector, shared by every step panel (refreshed after a create). */
const authCache = new Map<string, Promise<Authentication[]>>();
function authenticationsFor(connector: string, fresh = false): Promise<Authentication[]> {
  let found = fresh ? undefined : authCache.get(connector);
  if (found === undefined) {
    found = api
      .get<{ authentications: Authentication[] }>(`/api/authentications?connector=${enc(connector)}`)
      .then((a) => a.authentications);
    found.catch(() => authCache.delete(connector));
    authCache.set(connector, found);
  }
  return found;
}

function AuthenticateTab(props: StepPanelProps) {
  const connector = connectorOf(props.step.operation);
  const [list, setList] = useState<Authentication[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);
  const [test, setTest] = useState<TestReport | 'running' | undefined>();

  useEffect(() => {
    if (connector === undefined) return;
    authenticationsFor(connector).then(setList, setError);
  }, [connector]);

  if (isLoop(props.step) || connector === undefined)
    return <p class="muted">A loop needs no authentication: its nested steps each have their own.</p>;

  const selectedName = props.step.authentication;
  const selected = list?.find((a) => a.name === selectedName);
  const fallback = list?.find((a) => a.is_default);
  const choose = (name: string): void => {
    setTest(undefined);
    props.onChange((s) => {
      const { authentication: _a, ...rest } = s;
      return name === '' ? rest : { ...rest, authentication: name };
    });
  };
  const runTest = async (): Promise<void> => {
    const target = selected ?? (selectedName === undefined ? fallback : undefined);
    if (target === undefined) return;
    setTest('running');
    try {
      setTest(await api.post<TestReport>(`/api/authentications/${enc(target.id)}/test`));
    } catch (e) {
      setTest(undefined);
      setError(e);
    }
  };

  return (
    <div class="authenticate">
      <p class="muted">
        The credentials this step uses to call {CONNECTOR_NAMES[connector] ?? connector}. Personal ones are
        yours only; Organisational ones are shared.
      </p>
      <ErrorBox error={error} />
      <div class="field">
        <label for="step-auth">Authentication</label>
        <select
          id="step-auth"
          value={selectedName ?? ''}
          disabled={list === undefined}
          aria-describedby="step-auth-help"
          onChange={(e) => choose(e.currentTarget.value)}
        >
          <option value="">
            {fallback === undefined ? 'Your default (none yet)' : `Your default (${fallback.name})`}
          </option>
          {selectedName !== undefined && list !== undefined && selected === undefined ? (
            <option value={selectedName}>{selectedName} (not visible to you)</option>
          ) : null}
          {(list ?? []).map((a) => (
            <option key={a.id} value={a.name}>
              {a.name} — {a.scope === 'organisational' ? 'Organisational' : 'Personal'},{' '}
              {regionLabel(a.region)}
            </option>
          ))}
        </select>
        <p class="help" id="step-auth-help">
          {selected === undefined
            ? 'Choose one, or create one for this connector.'
            : `Key ${selected.key} · ${regionLabel(selected.region)}${selected.last_test === null ? '' : ` · last test ${selected.last_test.ok ? 'ok' : 'failed'}`}`}
        </p>
      </div>
      <div class="row-actions">
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          New authentication
        </button>
        <button
          type="button"
          disabled={
            test === 'running' ||
            (selected ?? (selectedName === undefined ? fallback : undefined)) === undefined
          }
          onClick={() => void runTest()}
        >
          {test === 'running' ? 'Testing…' : 'Test'}
        </button>
      </div>
      {test === undefined || test === 'running' ? null : <TestResult result={test} />}
      {creating ? (
        <NewAuthenticationModal
          connector={connector}
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            authenticationsFor(connector, true).then((fresh) => {
              setList(fresh);
              choose(created.name);
            }, setError);
          }}
        />
      ) : null}
    </div>
  );
}

export function TriggerPanel(props: {
  trigger: Trigger;
  webhookUrl: string | undefined;
  onChange: (trigger: Trigger) => void;
}) {
  const t = props.trigger;
  return (
    <aside class="panel" aria-labelledby="panel-title">
      <div class="panel-head">
        <h2 id="panel-title">Trigger</h2>
        <p class="muted">What starts a run.</p>
      </div>
      <div class="properties">
        <div class="field">
          <label for="trigger-type">Type</label>
          <select
            id="trigger-type"
            value={t.type}
            onChange={(e) => {
              const type = e.currentTarget.value as TriggerType;
              props.onChange(
                type === 'schedule'
                  ? { type, cron: t.cron ?? '0 9 * * *', timezone: t.timezone ?? 'UTC' }
                  : { type },
              );
            }}
          >
            {Object.entries(TRIGGER_LABELS).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {t.type === 'manual' ? (
          <p class="help">Started with “Run workflow”, or POST /api/workflows/:id/runs.</p>
        ) : null}
        {t.type === 'webhook' ? (
          <div class="field">
            <label for="trigger-respond">Respond</label>
            <select
              id="trigger-respond"
              value={t.respond ?? 'immediately'}
              onChange={(e) =>
                props.onChange({
                  ...t,
                  respond: e.currentTarget.value === 'when_finished' ? 'when_finished' : 'immediately',
                })
              }
            >
              <option value="immediately">At once, with the run id (202)</option>
              <option value="when_finished">When the run has finished, with the run</option>
            </select>
          </div>
        ) : null}
        {t.type === 'schedule' ? (
          <>
            <div class="field">
              <label for="trigger-cron">Cron</label>
              <input
                id="trigger-cron"
                class="mono"
                value={t.cron ?? ''}
                aria-describedby="trigger-cron-help"
                onInput={(e) => props.onChange({ ...t, cron: e.currentTarget.value })}
              />
              <p class="help" id="trigger-cron-help">
                minute hour day month weekday, e.g. 0 9 * * 1-5
              </p>
            </div>
            <div class="field">
              <label for="trigger-tz">Time zone</label>
              <input
                id="trigger-tz"
                value={t.timezone ?? ''}
                onInput={(e) => props.onChange({ ...t, timezone: e.currentTarget.value })}
              />
            </div>
          </>
        ) : null}
        {t.type === 'webhook' || t.type === 'customerio_webhook' ? (
          <div class="field">
            <span class="label">Webhook URL</span>
            {props.webhookUrl === undefined ? (
              <p class="help">Save the workflow to get its URL.</p>
            ) : (
              <div class="token-row">
                <code class="token-value">{props.webhookUrl}</code>
                <CopyButton text={props.webhookUrl} label="Copy the webhook URL" />
              </div>
            )}
            <p class="help">
              Keep it secret: anyone with it can start a run. The body becomes $.trigger.body.
            </p>
          </div>
        ) : null}
      </div>
    </aside>
  );
}
