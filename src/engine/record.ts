/**
 * How what happened is recorded: every value through the run's redactor (each credential the run
 * can use, in every encoding), bodies kept up to a limit and marked when cut.
 */
import { errorToJson, type ErrorJson } from '../errors.js';
import { Redactor } from '../redact.js';
import type { Credentials } from '../connectors.js';
import type { Exchange } from '../transport/transport.js';
import type { RecordedBody, RecordedExchange } from './types.js';

/** Default limit on a recorded request or response body (its JSON text), in characters. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** The secrets of every authentication a run uses: API keys, Site IDs, and the Basic token. */
export function redactorFor(credentials: readonly Credentials[]): Redactor {
  const secrets: string[] = [];
  for (const c of credentials) {
    if (c.apiKey !== undefined) secrets.push(c.apiKey);
    if (c.siteId !== undefined) secrets.push(c.siteId);
    if (c.siteId !== undefined && c.apiKey !== undefined)
      secrets.push(Buffer.from(`${c.siteId}:${c.apiKey}`, 'utf8').toString('base64'));
  }
  return new Redactor(secrets);
}

export function recordBody(body: unknown, limit: number): RecordedBody {
  if (body === undefined) return {};
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (text.length <= limit) return { body };
  return { body: text.slice(0, limit), body_truncated: true, body_size: text.length };
}

export function recordExchange(exchange: Exchange, redactor: Redactor, limit: number): RecordedExchange {
  const request = exchange.request;
  const recorded: RecordedExchange = {
    request: {
      method: request.method,
      url: redactor.text(request.url),
      headers: redactor.value(request.headers) as Record<string, string>,
      ...recordBody(redactor.value(request.body), limit),
    },
    duration_ms: round(exchange.durationMs),
  };
  if (exchange.response !== undefined) {
    recorded.response = {
      status: exchange.response.status,
      headers: redactor.value(exchange.response.headers) as Record<string, string>,
      ...recordBody(redactor.value(exchange.response.body), limit),
    };
  }
  if (exchange.error !== undefined) recorded.error = redactor.text(exchange.error);
  return recorded;
}

/** An error as recorded: type, message, hint, status, issues — redacted. */
export function recordError(error: unknown, redactor: Redactor): ErrorJson {
  const json = errorToJson(error);
  return redactor.value(json) as ErrorJson;
}

export function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
