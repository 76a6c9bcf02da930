/**
 * Errors the emulator answers with, in the per-endpoint shapes Customer.io uses
 * (customerio-api.md §2.6, §3.4, §7a.2).
 */
import { ulid } from '../../ulid.js';

export class EmulatorHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`emulator ${status}`);
  }
}

/** Track v1: `{"meta":{"errors":["…"]}}`. */
export function trackError(status: number, ...errors: string[]): EmulatorHttpError {
  return new EmulatorHttpError(status, { meta: { errors } });
}

/** Merge and transactional sends: `{"meta":{"error":"…"}}` (singular). */
export function metaError(status: number, error: string): EmulatorHttpError {
  return new EmulatorHttpError(status, { meta: { error } });
}

/** App API: `{"errors":[{"detail":"…","status":"404"}]}` (the detail carries a reference ULID, as observed). */
export function appError(status: number, detail: string, pointer?: string): EmulatorHttpError {
  const error: Record<string, unknown> = {
    detail: status === 404 ? `${detail} (reference ${ulid()})` : detail,
    status: String(status),
  };
  if (pointer !== undefined) error['source'] = { pointer };
  return new EmulatorHttpError(status, { errors: [error] });
}

/** Track v2: `{"errors":[{"reason","field","message"}]}`. */
export interface V2Error {
  reason: string;
  field: string;
  message: string;
  batch_index?: number;
}
export function v2Error(status: number, errors: V2Error[]): EmulatorHttpError {
  return new EmulatorHttpError(status, { errors });
}
