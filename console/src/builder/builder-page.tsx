/**
 * The builder: a toolbar (name, "Save", "Run workflow"), the flow in the middle, the properties
 * panel on the right and the debug panel at the bottom. The document is the state; every edit
 * is a pure function of `doc-edit.ts`. Unsaved changes are guarded on navigation and unload.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, enc } from '../api.js';
import { navigate, onLinkClick, setLeaveGuard } from '../router.js';
import type {
  JsonSchema,
  OperationSummary,
  Run,
  RunSummary,
  Step,
  StepRun,
  WorkflowDocument,
  WorkflowView,
} from '../types.js';
import { ErrorBox, Loading } from '../ui/feedback.js';
import { Modal } from '../ui/modal.js';
import { parseJsonInput } from '../form/field-model.js';
import { AddStepDialog, type AddChoice } from './add-step-dialog.js';
import { loadedOperation, operation, operations } from './catalogue.js';
import { DebugPanel } from './debug-panel.js';
import {
  getStep,
  groupIssues,
  insertStep,
  moveStep,
  newDocument,
  newLoopStep,
  newOperationStep,
  removeStep,
  renameStep,
  updateStep,
  type StepPath,
} from './doc-edit.js';
import { Flow, type Selection } from './flow.js';
import { StepPanel, TriggerPanel } from './properties-panel.js';
import { ReferencePicker } from './reference-picker.js';
import { referenceGroups, type ReferenceGroup } from './reference-options.js';

const POLL_MS = 500;

export function BuilderPage(props: { id: string }) {
  const isNew = props.id === 'new';
  const [view, setView] = useState<WorkflowView | undefined>();
  const [doc, setDoc] = useState<WorkflowDocument | undefined>();
  const [savedJson, setSavedJson] = useState<string>('');
  const [loadError, setLoadError] = useState<unknown>();
  const [saveError, setSaveError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [savedNote, setSavedNote] = useState<string | undefined>();
  const [selection, setSelection] = useState<Selection | undefined>({ kind: 'trigger' });
  const [adding, setAdding] = useState<{ container: StepPath; index: number } | undefined>();
  const [picker, setPicker] = useState<{
    label: string;
    groups: ReferenceGroup[];
    insert: (x: string) => void;
  }>();
  const [opList, setOpList] = useState<ReadonlyMap<string, OperationSummary>>(new Map());
  const [run, setRun] = useState<Run | undefined>();
  const [runError, setRunError] = useState<unknown>();
  const [history, setHistory] = useState<RunSummary[] | undefined>();
  const [debugOpen, setDebugOpen] = useState(true);
  const [runDialog, setRunDialog] = useState(false);
  const poll = useRef<number | undefined>(undefined);

  const dirty = doc !== undefined && JSON.stringify(doc) !== savedJson;
  const issues = useMemo(
    () => groupIssues(saveError instanceof ApiError ? saveError.issues : []),
    [saveError],
  );

  // Load the workflow (or start a new one), the operation list and the run history.
  useEffect(() => {
    operations().then(
      (list) => setOpList(new Map(list.map((o) => [o.id, o]))),
      () => undefined,
    );
    if (isNew) {
      const name = new URLSearchParams(location.search).get('name') ?? 'Untitled workflow';
      const fresh = newDocument(name);
      setDoc(fresh);
      setSavedJson('');
      return;
    }
    api.get<WorkflowView>(`/api/workflows/${enc(props.id)}`).then((v) => {
      setView(v);
      setDoc(v.document);
      setSavedJson(JSON.stringify(v.document));
    }, setLoadError);
    loadHistory(true);
    return () => window.clearTimeout(poll.current);
  }, [props.id]);

  // Warn before leaving with unsaved changes.
  useEffect(() => {
    if (!dirty) {
      setLeaveGuard(undefined);
      return;
    }
    const beforeUnload = (e: BeforeUnloadEvent): void => {
      e.preventDefault();
    };
    window.addEventListener('beforeunload', beforeUnload);
    setLeaveGuard(() => confirm('This workflow has unsaved changes. Leave without saving?'));
    return () => {
      window.removeEventListener('beforeunload', beforeUnload);
      setLeaveGuard(undefined);
    };
  }, [dirty]);

  const loadHistory = (openLatest = false): void => {
    if (isNew) return;
    api.get<{ runs: RunSummary[] }>(`/api/workflows/${enc(props.id)}/runs?limit=25`).then((a) => {
      setHistory(a.runs);
      const latest = a.runs[0];
      if (openLatest && latest !== undefined) openRun(latest.id);
    }, setRunError);
  };

  const openRun = useCallback(
    (id: string): void => {
      window.clearTimeout(poll.current);
      setRunError(undefined);
      const tick = (): void => {
        api.get<Run>(`/api/runs/${enc(id)}`).then(
          (r) => {
            setRun(r);
            if (r.status === 'queued' || r.status === 'running')
              poll.current = window.setTimeout(tick, POLL_MS);
            else loadHistory();
          },
          (e: unknown) => setRunError(e),
        );
      };
      tick();
    },
    [props.id],
  );

  // Fetch the schemas of the steps' operations (output schemas feed the reference picker).
  useEffect(() => {
    if (doc === undefined) return;
    const ids = new Set<string>();
    const walk = (steps: readonly Step[]): void => {
      for (const s of steps) {
        if (s.operation !== undefined) ids.add(s.operation);
        if (s.steps !== undefined) walk(s.steps);
      }
    };
    walk(doc.steps);
    for (const id of ids) operation(id).catch(() => undefined);
  }, [doc]);

  const edit = (change: (d: WorkflowDocument) => WorkflowDocument): void => {
    setDoc((d) => (d === undefined ? d : change(d)));
    setSavedNote(undefined);
  };

  const save = async (): Promise<WorkflowView | undefined> => {
    if (doc === undefined) return undefined;
    setSaving(true);
    setSaveError(undefined);
    try {
      const saved = isNew
        ? await api.post<WorkflowView>('/api/workflows', doc)
        : await api.put<WorkflowView>(`/api/workflows/${enc(props.id)}`, doc);
      setView(saved);
      setSavedJson(JSON.stringify(doc));
      setSavedNote(`Saved as version ${String(saved.version)}`);
      if (isNew) {
        setLeaveGuard(undefined);
        navigate(`/workflows/${enc(saved.id)}`, { replace: true, force: true });
      }
      return saved;
    } catch (e) {
      setSaveError(e);
      return undefined;
    } finally {
      setSaving(false);
    }
  };

  const startRun = async (body: unknown): Promise<void> => {
    setRunError(undefined);
    let id = props.id;
    if (dirty || isNew) {
      const saved = await save();
      if (saved === undefined) {
        setRunDialog(false);
        return;
      }
      id = saved.id;
    }
    try {
      const accepted = await api.post<{ id: string }>(`/api/workflows/${enc(id)}/runs`, body);
      setRunDialog(false);
      setDebugOpen(true);
      openRun(accepted.id);
      loadHistory();
    } catch (e) {
      setRunDialog(false);
      setRunError(e);
    }
  };

  const replay = (runId: string): void => {
    setRunError(undefined);
    api.post<{ id: string }>(`/api/runs/${enc(runId)}/replay`, {}).then((a) => {
      openRun(a.id);
      loadHistory();
    }, setRunError);
  };

  const addChosen = (choice: AddChoice): void => {
    if (doc === undefined || adding === undefined) return;
    const step = choice.kind === 'loop' ? newLoopStep(doc) : newOperationStep(doc, choice.operation.id);
    edit((d) => insertStep(d, adding.container, adding.index, step));
    setSelection({ kind: 'step', path: [...adding.container, adding.index] });
    setAdding(undefined);
  };

  const runSteps = useMemo(() => {
    const map = new Map<string, StepRun>();
    for (const s of run?.steps ?? []) map.set(s.id, s);
    return map;
  }, [run]);

  if (loadError !== undefined)
    return (
      <main class="page" id="app-main">
        <h1>Workflow</h1>
        <ErrorBox error={loadError} />
        <a href="/" onClick={onLinkClick}>
          Back to the workflows
        </a>
      </main>
    );
  if (doc === undefined)
    return (
      <main class="page" id="app-main">
        <Loading label="Loading the workflow…" />
      </main>
    );

  const selectedStep = selection?.kind === 'step' ? getStep(doc, selection.path) : undefined;
  const pickReference = (path: StepPath) => (label: string, insert: (x: string) => void) => {
    const schemas = new Map<string, JsonSchema>();
    const collect = (steps: readonly Step[]): void => {
      for (const s of steps) {
        const d = s.operation === undefined ? undefined : loadedOperation(s.operation);
        if (d !== undefined && s.operation !== undefined) schemas.set(s.operation, d.output_schema);
        if (s.steps !== undefined) collect(s.steps);
      }
    };
    collect(doc.steps);
    setPicker({
      label,
      groups: referenceGroups({ doc, at: path, outputSchemas: schemas, lastRun: run }),
      insert,
    });
  };

  return (
    <>
      <main class="builder" id="app-main">
        <div class="toolbar">
          <h1 class="visually-hidden">Workflow builder: {doc.name}</h1>
          <a href="/" onClick={onLinkClick} class="back-link" aria-label="Back to the workflows">
            ←
          </a>
          <label for="workflow-title" class="visually-hidden">
            Workflow name
          </label>
          <input
            id="workflow-title"
            class="title-input"
            value={doc.name}
            maxLength={200}
            onInput={(e) => {
              const name = e.currentTarget.value;
              edit((d) => ({ ...d, name }));
            }}
          />
          <span class="save-state" role="status">
            {saving
              ? 'Saving…'
              : dirty
                ? 'Unsaved changes'
                : (savedNote ?? (view === undefined ? '' : `Version ${String(view.version)}`))}
          </span>
          <span class="spacer" />
          <button type="button" onClick={() => void save()} disabled={saving || (!dirty && !isNew)}>
            Save
          </button>
          <button type="button" class="primary" onClick={() => setRunDialog(true)}>
            <span aria-hidden="true">▶ </span>Run workflow
          </button>
        </div>
        {saveError === undefined ? null : (
          <div class="toolbar-error">
            <ErrorBox
              error={
                saveError instanceof ApiError && saveError.issues.length > 0
                  ? new ApiError(
                      saveError.status,
                      saveError.type,
                      `The workflow was not saved: ${String(saveError.issues.length)} ${saveError.issues.length === 1 ? 'problem' : 'problems'}, shown at the steps`,
                      saveError.hint,
                      issues.document,
                    )
                  : saveError
              }
            />
          </div>
        )}
        <div class="builder-body">
          <div class="canvas">
            <Flow
              doc={doc}
              selection={selection}
              onSelect={setSelection}
              onAdd={(container, index) => setAdding({ container, index })}
              operations={opList}
              issues={issues.byStep}
              runSteps={runSteps}
              webhookUrl={view?.trigger.webhook_url}
            />
          </div>
          {selection?.kind === 'trigger' ? (
            <TriggerPanel
              trigger={doc.trigger}
              webhookUrl={view?.trigger.webhook_url}
              onChange={(trigger) => edit((d) => ({ ...d, trigger }))}
            />
          ) : selection?.kind === 'step' && selectedStep !== undefined ? (
            <StepPanel
              key={selection.path.join('.')}
              doc={doc}
              path={selection.path}
              step={selectedStep}
              issues={issues.byStep.get(selection.path.join('.'))}
              onChange={(change) => edit((d) => updateStep(d, selection.path, change))}
              onRename={(id) => edit((d) => renameStep(d, selection.path, id))}
              onMove={(delta) => {
                const moved = moveStep(doc, selection.path, delta);
                edit(() => moved.doc);
                setSelection({ kind: 'step', path: moved.path });
              }}
              onRemove={() => {
                if (!confirm(`Remove the step "${selectedStep.id}"?`)) return;
                edit((d) => removeStep(d, selection.path));
                setSelection({ kind: 'trigger' });
              }}
              pickReference={pickReference(selection.path)}
            />
          ) : (
            <aside class="panel" aria-label="Properties">
              <p class="muted">Select a step to edit it.</p>
            </aside>
          )}
        </div>
        <DebugPanel
          run={run}
          runError={runError}
          history={history}
          open={debugOpen}
          onToggle={() => setDebugOpen((o) => !o)}
          onOpenRun={openRun}
          onReplay={replay}
        />
      </main>
      {adding === undefined ? null : (
        <AddStepDialog onClose={() => setAdding(undefined)} onChoose={addChosen} />
      )}
      {picker === undefined ? null : (
        <ReferencePicker
          label={picker.label}
          groups={picker.groups}
          onClose={() => setPicker(undefined)}
          onPick={(x) => {
            picker.insert(x);
            setPicker(undefined);
          }}
        />
      )}
      {runDialog ? (
        <RunDialog
          manual={doc.trigger.type === 'manual'}
          willSave={dirty || isNew}
          onClose={() => setRunDialog(false)}
          onRun={startRun}
        />
      ) : null}
    </>
  );
}

function RunDialog(props: {
  manual: boolean;
  willSave: boolean;
  onClose: () => void;
  onRun: (body: unknown) => Promise<void>;
}) {
  const [text, setText] = useState('{\n  \n}');
  const [busy, setBusy] = useState(false);
  const parsed = parseJsonInput(text);
  return (
    <Modal title="Run workflow" onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!parsed.ok) return;
          setBusy(true);
          void props.onRun(parsed.value ?? {}).finally(() => setBusy(false));
        }}
      >
        <div class="field">
          <label for="run-body">Trigger body (JSON, optional)</label>
          <textarea
            id="run-body"
            class="mono"
            rows={8}
            spellcheck={false}
            value={text}
            autoFocus
            aria-invalid={!parsed.ok}
            aria-describedby="run-body-help"
            onInput={(e) => setText(e.currentTarget.value)}
          />
          <p class={parsed.ok ? 'help' : 'field-error'} id="run-body-help">
            {parsed.ok
              ? 'Steps read it as $.trigger.body, e.g. {"id": "42", "email": "ada@example.com"}.'
              : `Not valid JSON: ${parsed.message}`}
          </p>
        </div>
        {props.manual ? null : (
          <p class="help">
            This workflow has another trigger; a run started here is a manual run with this body.
          </p>
        )}
        {props.willSave ? <p class="help">Your unsaved changes are saved first.</p> : null}
        <div class="modal-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={!parsed.ok || busy}>
            {props.willSave ? 'Save and run' : 'Run'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
