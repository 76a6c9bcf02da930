/**
 * The debug panel at the bottom of the builder, a region named "Debug": the run shown (live while
 * it runs), one row per step with status, duration and attempts; a row opens to the step's
 * resolved input, output, error with hint, and each HTTP exchange (redacted by the server), as
 * foldable JSON with Copy. The workflow's run history opens any past run here, with Replay.
 */
import { useState } from 'preact/hooks';
import type { Run, RunSummary, StepRun } from '../types.js';
import { ErrorBox, StatusBadge, Time } from '../ui/feedback.js';
import { JsonView } from '../ui/json-view.js';

const duration = (ms: number | null): string =>
  ms === null ? '—' : ms < 1000 ? `${String(Math.round(ms))} ms` : `${(ms / 1000).toFixed(2)} s`;

function StepRow(props: { step: StepRun }) {
  const s = props.step;
  return (
    <li class="debug-step">
      <details>
        <summary>
          <span class="debug-key">
            <code>{s.key}</code>
          </span>
          <span class="debug-op">{s.operation ?? 'loop'}</span>
          <StatusBadge status={s.status} />
          <span class="debug-num">{duration(s.duration_ms)}</span>
          <span class="debug-num">
            {s.attempts} {s.attempts === 1 ? 'attempt' : 'attempts'}
          </span>
          {s.reused_from === null ? null : <span class="badge">reused</span>}
        </summary>
        <div class="debug-detail">
          {s.error === null ? null : (
            <div class="error-box">
              <strong>{s.error.type}:</strong> {s.error.message}
              {s.error.hint === undefined ? null : <p class="hint">{s.error.hint}</p>}
            </div>
          )}
          <div class="json-grid">
            <JsonView title="Input" value={s.input} />
            <JsonView title="Output" value={s.output} />
            {s.error === null ? null : <JsonView title="Error" value={s.error} />}
          </div>
          {s.requests.map((x, i) => (
            <div class="exchange" key={String(i)}>
              <h4>
                Attempt {i + 1}: <code>{x.request.method}</code> <code class="url">{x.request.url}</code> →{' '}
                {x.response === undefined ? (x.error ?? 'no answer') : `HTTP ${String(x.response.status)}`} ·{' '}
                {duration(x.duration_ms)}
              </h4>
              <div class="json-grid">
                <JsonView title="Request" value={x.request} />
                <JsonView title="Response" value={x.response ?? { error: x.error ?? null }} />
              </div>
            </div>
          ))}
        </div>
      </details>
    </li>
  );
}

export function DebugPanel(props: {
  run: Run | undefined;
  runError: unknown;
  history: readonly RunSummary[] | undefined;
  open: boolean;
  onToggle: () => void;
  onOpenRun: (id: string) => void;
  onReplay: (id: string) => void;
}) {
  const { run } = props;
  const [replaying, setReplaying] = useState(false);
  const finished = run !== undefined && (run.status === 'succeeded' || run.status === 'failed');
  return (
    <section class={`debug${props.open && run !== undefined ? ' open' : ''}`} aria-label="Debug">
      <div class="debug-head">
        <button type="button" class="debug-toggle" aria-expanded={props.open} onClick={props.onToggle}>
          <span aria-hidden="true">{props.open ? '▾' : '▸'}</span> Debug
        </button>
        {run === undefined ? (
          <span class="muted">No run yet. Each step of a run shows here, live.</span>
        ) : (
          <span class="debug-summary">
            Run <code>{run.id}</code> <StatusBadge status={run.status} /> {duration(run.duration_ms)} ·{' '}
            <Time at={run.created_at} />
            {run.replay_of === null ? null : <span class="muted"> · replay of {run.replay_of}</span>}
          </span>
        )}
        <span class="spacer" />
        {props.history !== undefined && props.history.length > 0 ? (
          <>
            <label for="run-history" class="visually-hidden">
              Run history
            </label>
            <select
              id="run-history"
              value={run?.id ?? ''}
              onChange={(e) => e.currentTarget.value !== '' && props.onOpenRun(e.currentTarget.value)}
            >
              {run === undefined ? <option value="">Run history…</option> : null}
              {props.history.map((r) => (
                <option key={r.id} value={r.id}>
                  {new Date(r.created_at).toLocaleString()} — {r.status}
                  {r.replay_of === null ? '' : ' (replay)'}
                </option>
              ))}
            </select>
          </>
        ) : null}
        {finished ? (
          <button
            type="button"
            class="small"
            disabled={replaying}
            onClick={() => {
              setReplaying(true);
              props.onReplay(run.id);
              setTimeout(() => setReplaying(false), 1000);
            }}
          >
            Replay
          </button>
        ) : null}
      </div>
      {props.open ? (
        <div class="debug-body">
          <ErrorBox error={props.runError} />
          {run === undefined ? null : (
            <>
              {run.error === null ? null : (
                <div class="error-box" role="alert">
                  <strong>
                    The run failed{run.error.step === undefined ? '' : ` at ${run.error.step}`}:
                  </strong>{' '}
                  {run.error.message}
                  {run.error.hint === undefined ? null : <p class="hint">{run.error.hint}</p>}
                </div>
              )}
              <ol class="debug-steps" aria-label="Steps of the run">
                {run.steps.map((s) => (
                  <StepRow key={s.key} step={s} />
                ))}
                {run.steps.length === 0 ? (
                  <li class="muted">{run.status === 'queued' ? 'Queued…' : 'No step has started yet.'}</li>
                ) : null}
              </ol>
              <details class="debug-run-io">
                <summary>Trigger and output of the run</summary>
                <div class="json-grid">
                  <JsonView title="Trigger" value={run.trigger} />
                  <JsonView title="Run output" value={run.output} />
                </div>
              </details>
            </>
          )}
        </div>
      ) : null}
    </section>
  );
}
