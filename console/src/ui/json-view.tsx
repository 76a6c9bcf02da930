/** JSON that folds (details/summary per object and array) and can be copied. */
import { useState } from 'preact/hooks';

async function copyText(text: string): Promise<void> {
  // The clipboard API needs a secure context: https, or the loopback address `cioc serve` uses.
  if (!window.isSecureContext) throw new Error('The clipboard needs https or 127.0.0.1');
  await navigator.clipboard.writeText(text);
}

export function CopyButton(props: { text: string; label: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | undefined>();
  return (
    <button
      type="button"
      class="small"
      aria-label={props.label}
      onClick={() => {
        copyText(props.text).then(
          () => setDone('copied'),
          () => setDone('failed'),
        );
        setTimeout(() => setDone(undefined), 1500);
      }}
    >
      {done === 'copied' ? 'Copied' : done === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}

function Node(props: { name: string | undefined; value: unknown; depth: number }) {
  const { name, value, depth } = props;
  const label = name === undefined ? null : <span class="json-key">{name}: </span>;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value)
      ? (value as unknown[]).map((v, i) => [String(i), v] as const)
      : Object.entries(value as Record<string, unknown>);
    const brackets = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0)
      return (
        <div class="json-line">
          {label}
          <span class="json-punct">{brackets.join('')}</span>
        </div>
      );
    return (
      <details class="json-node" open={depth < 2}>
        <summary>
          {label}
          <span class="json-punct">{brackets[0]}</span>
          <span class="json-count">
            {Array.isArray(value) ? `${String(entries.length)} items` : `${String(entries.length)} fields`}
          </span>
        </summary>
        <div class="json-children">
          {entries.map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} />
          ))}
        </div>
        <span class="json-punct">{brackets[1]}</span>
      </details>
    );
  }
  const kind = value === null ? 'null' : typeof value;
  return (
    <div class="json-line">
      {label}
      <span class={`json-${kind}`}>{(JSON.stringify(value) as string | undefined) ?? 'undefined'}</span>
    </div>
  );
}

export function JsonView(props: { title: string; value: unknown }) {
  const text = (JSON.stringify(props.value, null, 2) as string | undefined) ?? 'undefined';
  return (
    <section class="json-view" aria-label={props.title}>
      <div class="json-head">
        <h4>{props.title}</h4>
        <CopyButton text={text} label={`Copy ${props.title.toLowerCase()}`} />
      </div>
      <div class="json-body">
        <Node name={undefined} value={props.value} depth={0} />
      </div>
    </section>
  );
}
