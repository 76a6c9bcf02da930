/**
 * "Add step": pick a connector ("Customer.io - Track", "- App", "- Beta", or the built-in loop),
 * then an operation, searched by title and description (the registry's hand-written operations
 * come first in its order, and so first here).
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Connector, OperationSummary } from '../types.js';
import { ErrorBox, Loading } from '../ui/feedback.js';
import { Modal } from '../ui/modal.js';
import { connectors, operations } from './catalogue.js';
import { searchOperations } from './operation-search.js';

export type AddChoice = { kind: 'operation'; operation: OperationSummary } | { kind: 'loop' };

export function AddStepDialog(props: { onClose: () => void; onChoose: (choice: AddChoice) => void }) {
  const [list, setList] = useState<{ connectors: Connector[]; operations: OperationSummary[] } | undefined>();
  const [error, setError] = useState<unknown>();
  const [connector, setConnector] = useState<Connector | undefined>();
  const [query, setQuery] = useState('');

  useEffect(() => {
    Promise.all([connectors(), operations()]).then(
      ([c, o]) => setList({ connectors: c, operations: o }),
      setError,
    );
  }, []);

  const results = useMemo(
    () =>
      list === undefined || connector === undefined
        ? []
        : searchOperations(
            list.operations.filter((o) => o.connector === connector.id),
            query,
          ),
    [list, connector, query],
  );

  return (
    <Modal
      title={connector === undefined ? 'Add a step: choose a connector' : `Add a step: ${connector.name}`}
      onClose={props.onClose}
      wide
    >
      <ErrorBox error={error} />
      {list === undefined ? (
        error === undefined ? (
          <Loading />
        ) : null
      ) : connector === undefined ? (
        <ul class="picker-grid" aria-label="Connectors">
          {list.connectors.map((c) => (
            <li key={c.id}>
              <button type="button" class="picker-card" onClick={() => setConnector(c)}>
                <span class={`step-icon connector-${c.id}`} aria-hidden="true">
                  {c.id.charAt(0).toUpperCase()}
                </span>
                <span>
                  <span class="picker-title">{c.name}</span>
                  <span class="picker-desc">
                    {c.operations} operations · {c.title}
                  </span>
                </span>
              </button>
            </li>
          ))}
          <li>
            <button type="button" class="picker-card" onClick={() => props.onChoose({ kind: 'loop' })}>
              <span class="step-icon connector-loop" aria-hidden="true">
                ↻
              </span>
              <span>
                <span class="picker-title">Loop (for each)</span>
                <span class="picker-desc">Built-in: run steps once per item of a list</span>
              </span>
            </button>
          </li>
        </ul>
      ) : (
        <div class="op-picker">
          <div class="op-search">
            <button type="button" class="small" onClick={() => setConnector(undefined)}>
              ← Connectors
            </button>
            <label for="op-search" class="visually-hidden">
              Search operations
            </label>
            <input
              id="op-search"
              type="search"
              autoFocus
              placeholder="Search titles and descriptions"
              value={query}
              aria-describedby="op-count"
              onInput={(e) => setQuery(e.currentTarget.value)}
            />
          </div>
          <p id="op-count" class="muted" role="status">
            {results.length} {results.length === 1 ? 'operation' : 'operations'}
          </p>
          <ul class="op-list" aria-label="Operations">
            {results.map((o) => (
              <li key={o.id}>
                <button
                  type="button"
                  class="op-item"
                  onClick={() => props.onChoose({ kind: 'operation', operation: o })}
                >
                  <span class="op-title">{o.title}</span>
                  <span class="op-route">
                    <span class={`method method-${o.method.toLowerCase()}`}>{o.method}</span>{' '}
                    <code>{o.path}</code>
                  </span>
                  <span class="op-desc">{o.description}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Modal>
  );
}
