/** ARIA tabs: a tablist of buttons (arrow keys, Home, End move between them) and one panel. */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

export function Tabs<K extends string>(props: {
  label: string;
  tabs: readonly { key: K; label: string }[];
  selected: K;
  onSelect: (key: K) => void;
  children: ComponentChildren;
}) {
  const base = useId();
  const index = props.tabs.findIndex((t) => t.key === props.selected);
  const onKeyDown = (event: KeyboardEvent): void => {
    const n = props.tabs.length;
    let next: number | undefined;
    if (event.key === 'ArrowRight') next = (index + 1) % n;
    else if (event.key === 'ArrowLeft') next = (index - 1 + n) % n;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = n - 1;
    const tab = next === undefined ? undefined : props.tabs[next];
    if (tab === undefined) return;
    event.preventDefault();
    props.onSelect(tab.key);
    document.getElementById(`${base}-tab-${tab.key}`)?.focus();
  };
  return (
    <div class="tabs">
      <div role="tablist" aria-label={props.label} class="tablist" onKeyDown={onKeyDown}>
        {props.tabs.map((t) => (
          <button
            key={t.key}
            type="button"
            role="tab"
            id={`${base}-tab-${t.key}`}
            aria-selected={t.key === props.selected}
            aria-controls={`${base}-panel`}
            tabIndex={t.key === props.selected ? 0 : -1}
            onClick={() => props.onSelect(t.key)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${base}-panel`}
        aria-labelledby={`${base}-tab-${props.selected}`}
        class="tabpanel"
      >
        {props.children}
      </div>
    </div>
  );
}
