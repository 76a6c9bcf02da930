/**
 * The console's only way to the server: JSON in and out, the session's CSRF token on every
 * state-changing request, and one place that turns a 401 into "sign in again" and any error
 * answer into an `ApiError` with the server's message, hint and validation issues.
 */
import type { ErrorJson, ValidationIssue } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly hint: string | undefined,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when any request (other than signing in) answers 401: the session is gone. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

const SAFE = new Set(['GET', 'HEAD']);

function errorOf(status: number, body: unknown, fallback: string): ApiError {
  const error = (body as { error?: Partial<ErrorJson> } | null)?.error;
  if (error !== undefined && typeof error.message === 'string')
    return new ApiError(status, error.type ?? 'error', error.message, error.hint, error.issues ?? []);
  return new ApiError(status, 'http', `${fallback} (HTTP ${String(status)})`, undefined, []);
}

export interface RequestOptions {
  body?: unknown;
  /** Do not treat a 401 as an expired session (signing in, reading the session). */
  allow401?: boolean;
}

export async function request<T>(method: string, url: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE.has(method) && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached', 'Is `cioc serve` running?', []);
  }
  const text = await response.text();
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      body = null;
    }
  }
  if (response.status === 401 && options.allow401 !== true) onUnauthorized?.();
  if (!response.ok) throw errorOf(response.status, body, response.statusText || 'Request failed');
  return body as T;
}

export const api = {
  get: <T>(url: string, options?: RequestOptions) => request<T>('GET', url, options),
  post: <T>(url: string, body?: unknown, options?: RequestOptions) =>
    request<T>('POST', url, { ...options, body: body ?? {} }),
  put: <T>(url: string, body: unknown) => request<T>('PUT', url, { body }),
  patch: <T>(url: string, body: unknown) => request<T>('PATCH', url, { body }),
  del: <T>(url: string) => request<T>('DELETE', url),
};

/** A readable message for anything thrown (never a stack trace). */
export function messageOf(error: unknown): { message: string; hint: string | undefined } {
  if (error instanceof ApiError) return { message: error.message, hint: error.hint };
  if (error instanceof Error) return { message: error.message, hint: undefined };
  return { message: String(error), hint: undefined };
}

export const enc = encodeURIComponent;
