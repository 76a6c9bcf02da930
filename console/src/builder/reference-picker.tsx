/** The reference picker: the trigger, the loop item and earlier steps' outputs, searchable. */
import { useMemo, useState } from 'preact/hooks';
import { Modal } from '../ui/modal.js';
import { filterGroups, type ReferenceGroup } from './reference-options.js';

export function ReferencePicker(props: {
  label: string;
  groups: readonly ReferenceGroup[];
  onPick: (expression: string) => void;
  onClose: () => void;
}) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => filterGroups(props.groups, query), [props.groups, query]);
  return (
    <Modal title={`Insert a reference into ${props.label}`} onClose={props.onClose} wide>
      <label for="ref-search" class="visually-hidden">
        Search references
      </label>
      <input
        id="ref-search"
        type="search"
        autoFocus
        placeholder="Search paths, e.g. email"
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
      />
      <div class="ref-groups">
        {groups.length === 0 ? <p class="muted">Nothing matches.</p> : null}
        {groups.map((g) => (
          <section key={g.label} aria-label={g.label}>
            <h3>{g.label}</h3>
            <ul class="ref-list">
              {g.options.map((o) => (
                <li key={o.path}>
                  <button type="button" class="ref-item" onClick={() => props.onPick(o.expression)}>
                    <code>{o.path}</code>
                    {o.detail === undefined ? null : <span class="muted"> {o.detail}</span>}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </Modal>
  );
}
