/**
 * Errors as the server answers them: `{ "error": { "type", "message", … } }` with the right status.
 * Anything unexpected is a 500 with a generic message (logged, never a stack trace at a client).
 */
import { CiocError, type ValidationIssue } from '../errors.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, 'not_found', `${what} was not found`);

const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  validation: 400,
  config: 400,
  unauthorized: 401,
  not_found: 404,
};

export interface ErrorAnswer {
  status: number;
  body: { error: Record<string, unknown> };
}

/** Fastify's own errors (body parsing, schema validation) by code. */
const FASTIFY: Readonly<Record<string, { status: number; type: string; message?: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    type: 'payload_too_large',
    message: 'The request body is too large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, type: 'unsupported_media_type' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, type: 'bad_json', message: 'The JSON body is empty' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, type: 'bad_request' },
};

export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: { error: { type: error.type, message: error.message, ...error.extra } },
    };
  }
  if (error instanceof CiocError) {
    return { status: STATUS_BY_TYPE[error.type] ?? 500, body: { error: { ...error.toJSON() } } };
  }
  const fastify = error as { code?: string; statusCode?: number; message?: string; validation?: unknown[] };
  if (Array.isArray(fastify.validation)) {
    const context = (error as { validationContext?: string }).validationContext ?? 'body';
    const issues: ValidationIssue[] = fastify.validation.map((v) => {
      const item = v as { instancePath?: string; message?: string; params?: Record<string, unknown> };
      const extra =
        typeof item.params?.['additionalProperty'] === 'string'
          ? ` (${item.params['additionalProperty']})`
          : typeof item.params?.['missingProperty'] === 'string'
            ? ` (${item.params['missingProperty']})`
            : '';
      return {
        path: `${context === 'body' ? '' : `/${context}`}${item.instancePath ?? ''}`,
        message: `${item.message ?? 'is invalid'}${extra}`,
      };
    });
    return {
      status: 400,
      body: { error: { type: 'validation', message: `Invalid request ${context}`, issues } },
    };
  }
  const known = fastify.code === undefined ? undefined : FASTIFY[fastify.code];
  if (known !== undefined) {
    return {
      status: known.status,
      body: { error: { type: known.type, message: known.message ?? fastify.message ?? known.type } },
    };
  }
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return {
      status: fastify.statusCode,
      body: { error: { type: 'bad_request', message: fastify.message ?? 'Bad request' } },
    };
  }
  return { status: 500, body: { error: { type: 'internal', message: 'Internal server error' } } };
}
