/**
 * Operations generated from the official specs (`npm run gen` → `generated/*.json`): plain data,
 * turned into registry operations here. Path parameters, query parameters and body fields share
 * one flat input object, with the names Customer.io uses.
 */
import type { ConnectorId } from '../regions.js';
import type { AnyOperation, HttpMethod, OperationExample, QueryValue, Safety, WireRequest } from './types.js';
import { fillPath, jsonBody, wireRequest } from './wire.js';

export interface SpecOperationData {
  readonly id: string;
  readonly connector: ConnectorId;
  readonly title: string;
  readonly description: string;
  readonly method: HttpMethod;
  /** Under the connector's base URL (or under the origin, with `wire.fromOrigin`). */
  readonly path: string;
  readonly input: Record<string, unknown>;
  readonly output: Record<string, unknown>;
  readonly safety: Safety;
  readonly examples: readonly OperationExample<Record<string, unknown>>[];
  readonly wire: {
    readonly query: readonly string[];
    /** Body fields, or null when the operation has no body. */
    readonly body: readonly string[] | null;
    readonly bodyRequired: boolean;
    /** The input field whose value is the whole body (a body that is not an object of fields). */
    readonly wholeBody?: string;
    /** A field to fill with a fresh ULID when absent (event deduplication). */
    readonly autoId?: string;
    /** The path is relative to the host, not the base path (Track's `/unsubscribe`). */
    readonly fromOrigin?: boolean;
    /** The spec declares no security: no credentials are sent. */
    readonly noAuth?: boolean;
  };
  /** The success status the spec documents (200, 204…). */
  readonly successStatus: number;
  /** Where it came from: the spec file and its operationId. */
  readonly source: { readonly spec: string; readonly operationId: string };
}

function pick(input: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (input[name] !== undefined) out[name] = input[name];
  return out;
}

export function specOperation(data: SpecOperationData): AnyOperation {
  const encode = (raw: unknown, ctx: { newId(): string }): WireRequest => {
    const input = { ...(raw as Record<string, unknown>) };
    if (data.wire.autoId !== undefined && input[data.wire.autoId] === undefined)
      input[data.wire.autoId] = ctx.newId();
    const query = pick(input, data.wire.query) as Record<string, QueryValue>;
    let body: WireRequest['body'] = { kind: 'none' };
    if (data.wire.wholeBody !== undefined) {
      const value = input[data.wire.wholeBody];
      if (value !== undefined) body = jsonBody(value);
    } else if (data.wire.body !== null) {
      const fields = pick(input, data.wire.body);
      if (Object.keys(fields).length > 0 || data.wire.bodyRequired) body = jsonBody(fields);
    }
    const request = wireRequest(data.method, fillPath(data.path, input), { query, body });
    return {
      ...request,
      ...(data.wire.fromOrigin === true ? { fromOrigin: true } : {}),
      ...(data.wire.noAuth === true ? { noAuth: true } : {}),
    };
  };
  return {
    id: data.id,
    connector: data.connector,
    title: data.title,
    description: data.description,
    method: data.method,
    path: data.path,
    input: data.input,
    output: data.output,
    safety: data.safety,
    examples: data.examples,
    encode,
    decode: (response, request) => {
      const body = response.body ?? {};
      if (data.wire.autoId === undefined || request.body.kind !== 'json') return body;
      // Say which id the event was sent with (for deduplication), as the hand-written event does.
      const id = (request.body.value as Record<string, unknown>)[data.wire.autoId];
      return typeof body === 'object' && !Array.isArray(body) ? { ...body, [data.wire.autoId]: id } : body;
    },
  };
}
