/**
 * The registry as the builder reads it: the operation list once (titles and descriptions, no
 * schemas), each operation's schemas on demand (`GET /api/operations/:id`, cached per id), and the
 * connectors. Nothing of the registry is bundled.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import type { Connector, OperationDetail, OperationSummary } from '../types.js';

let operationList: Promise<OperationSummary[]> | undefined;
let connectorList: Promise<Connector[]> | undefined;
const details = new Map<string, Promise<OperationDetail>>();
const loaded = new Map<string, OperationDetail>();

export function operations(): Promise<OperationSummary[]> {
  operationList ??= api.get<{ operations: OperationSummary[] }>('/api/operations').then(
    (a) => a.operations,
    (e: unknown) => {
      operationList = undefined;
      throw e;
    },
  );
  return operationList;
}

export function connectors(): Promise<Connector[]> {
  connectorList ??= api.get<{ connectors: Connector[] }>('/api/connectors').then(
    (a) => a.connectors,
    (e: unknown) => {
      connectorList = undefined;
      throw e;
    },
  );
  return connectorList;
}

export function operation(id: string): Promise<OperationDetail> {
  let found = details.get(id);
  if (found === undefined) {
    found = api.get<OperationDetail>(`/api/operations/${enc(id)}`).then(
      (d) => {
        loaded.set(id, d);
        return d;
      },
      (e: unknown) => {
        details.delete(id);
        throw e;
      },
    );
    details.set(id, found);
  }
  return found;
}

/** The operation's details if they were fetched already (synchronously). */
export const loadedOperation = (id: string): OperationDetail | undefined => loaded.get(id);

/** The operation's details for a component: undefined while loading; the error if it failed. */
export function useOperation(id: string | undefined): { detail?: OperationDetail; error?: unknown } {
  const [state, setState] = useState<{ id?: string; detail?: OperationDetail; error?: unknown }>(() =>
    id === undefined ? {} : { id, ...(loaded.has(id) ? { detail: loaded.get(id) } : {}) },
  );
  useEffect(() => {
    if (id === undefined) return;
    let live = true;
    const cached = loaded.get(id);
    if (cached !== undefined) {
      setState({ id, detail: cached });
      return;
    }
    setState({ id });
    operation(id).then(
      (detail) => live && setState({ id, detail }),
      (error: unknown) => live && setState({ id, error }),
    );
    return () => {
      live = false;
    };
  }, [id]);
  if (state.id !== id) return {};
  return state.error === undefined
    ? state.detail === undefined
      ? {}
      : { detail: state.detail }
    : { error: state.error };
}

/** The connector of an operation id (`track.x` → `track`). */
export const connectorOf = (operationId: string | undefined): string | undefined =>
  operationId?.split('.')[0];
