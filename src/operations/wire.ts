/** Helpers operations use to build their wire requests. */
import { ValidationError } from '../errors.js';
import type { HttpMethod, QueryValue, WireBody, WireRequest } from './types.js';

/**
 * Fills `{name}` placeholders of a path template with percent-encoded values
 * (`cust 1` → `cust%201`). A value of `.` or `..` is refused: every URL parser would treat it as
 * a dot-segment and move the request to another resource.
 */
export function fillPath(template: string, params: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{([a-zA-Z0-9_]+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === '') {
      throw new ValidationError('Invalid input', [{ path: `/${name}`, message: 'is required' }]);
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text === '.' || text === '..') {
      throw new ValidationError('Invalid input', [
        { path: `/${name}`, message: 'must not be "." or ".." (they would address another resource)' },
      ]);
    }
    return encodeURIComponent(text);
  });
}

export interface RequestParts {
  query?: Readonly<Record<string, QueryValue | undefined>>;
  headers?: Readonly<Record<string, string>>;
  body?: WireBody;
}

export function wireRequest(method: HttpMethod, path: string, parts: RequestParts = {}): WireRequest {
  // No prototype: a query parameter may be called `__proto__` like any other name.
  const query = Object.create(null) as Record<string, QueryValue>;
  for (const [key, value] of Object.entries(parts.query ?? {})) if (value !== undefined) query[key] = value;
  return { method, path, query, headers: parts.headers ?? {}, body: parts.body ?? { kind: 'none' } };
}

export function jsonBody(value: unknown): WireBody {
  return { kind: 'json', value };
}

/** Copies the defined entries of an object (so optional inputs never appear as `undefined`). */
export function definedEntries(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
