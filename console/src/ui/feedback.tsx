/** Errors shown readably (the server's message and hint), and small status badges. */
import { messageOf } from '../api.js';
import { ApiError } from '../api.js';

export function ErrorBox(props: { error: unknown; title?: string }) {
  if (props.error === undefined || props.error === null) return null;
  const { message, hint } = messageOf(props.error);
  const issues = props.error instanceof ApiError ? props.error.issues : [];
  return (
    <div class="error-box" role="alert">
      {props.title === undefined ? null : <strong>{props.title}: </strong>}
      <span>{message}</span>
      {hint === undefined ? null : <p class="hint">{hint}</p>}
      {issues.length > 0 && !message.includes(issues[0]?.message ?? '\u0000') ? (
        <ul>
          {issues.map((i) => (
            <li key={`${i.path}:${i.message}`}>
              <code>{i.path || '/'}</code> {i.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function StatusBadge(props: { status: string | null | undefined }) {
  const status = props.status ?? 'never';
  return (
    <span class={`badge badge-${status}`}>{status === 'never' ? 'never run' : status.replace('_', ' ')}</span>
  );
}

export function Time(props: { at: string | null | undefined }) {
  if (props.at === null || props.at === undefined) return <span class="muted">—</span>;
  const date = new Date(props.at);
  return (
    <time dateTime={props.at} title={date.toISOString()}>
      {date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}
    </time>
  );
}

export function Loading(props: { label?: string }) {
  return (
    <p class="muted" role="status">
      {props.label ?? 'Loading…'}
    </p>
  );
}
