/** Builds request URLs and proves they stay under the connector's base URL. */
import { ValidationError } from '../errors.js';
import type { QueryValue } from '../operations/types.js';

/**
 * `base` + `path` + query. Throws when the result is not under the base (another origin, a path
 * outside the base path, or a path the URL parser normalised into something else).
 */
export interface BaseUrl {
  readonly href: string;
  readonly origin: string;
  /** The base path without a trailing slash, e.g. `/api`. */
  readonly path: string;
}

/** Parses a base URL once (a transport keeps the result). */
export function parseBaseUrl(base: string): BaseUrl {
  const url = new URL(base);
  return { href: base, origin: url.origin, path: url.pathname.replace(/\/+$/, '') };
}

export function buildUrl(
  base: string | BaseUrl,
  path: string,
  query: Readonly<Record<string, QueryValue>>,
): string {
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw new ValidationError('Invalid endpoint', [
      { path: '/endpoint', message: 'must start with a single "/"' },
    ]);
  }
  const parsed = typeof base === 'string' ? parseBaseUrl(base) : base;
  const url = new URL(`${parsed.origin}${parsed.path}${path}`);
  const underBase = url.pathname === parsed.path || url.pathname.startsWith(`${parsed.path}/`);
  if (url.origin !== parsed.origin || !underBase || url.pathname !== `${parsed.path}${path}`) {
    throw new ValidationError('Invalid endpoint', [
      { path: '/endpoint', message: `must stay under the base URL ${parsed.href}` },
    ]);
  }
  const search = queryString(query);
  return search === '' ? url.href : `${url.href}?${search}`;
}

export function queryString(query: Readonly<Record<string, QueryValue>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? (value as readonly unknown[]) : [value];
    for (const v of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
  }
  return parts.join('&');
}
