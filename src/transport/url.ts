/** Builds request URLs and proves they stay under the connector's base URL. */
import { ValidationError } from '../errors.js';
import type { QueryValue } from '../operations/types.js';

/**
 * `base` + `path` + query. Throws when the result is not under the base (another origin, a path
 * outside the base path, or a path the URL parser normalised into something else).
 */
export function buildUrl(base: string, path: string, query: Readonly<Record<string, QueryValue>>): string {
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw new ValidationError('Invalid endpoint', [
      { path: '/endpoint', message: 'must start with a single "/"' },
    ]);
  }
  const baseUrl = new URL(base);
  const basePath = baseUrl.pathname.replace(/\/+$/, '');
  const url = new URL(`${baseUrl.origin}${basePath}${path}`);
  const underBase = url.pathname === basePath || url.pathname.startsWith(`${basePath}/`);
  if (url.origin !== baseUrl.origin || !underBase || url.pathname !== `${basePath}${path}`) {
    throw new ValidationError('Invalid endpoint', [
      { path: '/endpoint', message: `must stay under the base URL ${base}` },
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
