/**
 * The operation registry: every operation, once. Everything else (library, CLI, docs, contract
 * tests) is derived from this list.
 */
import { appRawHttpRequest, betaRawHttpRequest, trackRawHttpRequest } from './raw-http.js';
import { createOrUpdateCustomer, deleteCustomer, trackCustomEvent } from './track-people.js';
import { sendBatch, sendEntity } from './track-v2.js';
import { sendTransactionalEmail, triggerBroadcast } from './app-sends.js';
import type { AnyOperation } from './types.js';
import type { ConnectorId } from '../regions.js';
import { ValidationError } from '../errors.js';
import { closest } from '../schema.js';

export const OPERATIONS = [
  createOrUpdateCustomer,
  deleteCustomer,
  trackCustomEvent,
  sendEntity,
  sendBatch,
  trackRawHttpRequest,
  sendTransactionalEmail,
  triggerBroadcast,
  appRawHttpRequest,
  betaRawHttpRequest,
] as const;

export type RegisteredOperation = (typeof OPERATIONS)[number];
export type OperationId = RegisteredOperation['id'];
export type OperationById<Id extends OperationId> = Extract<RegisteredOperation, { id: Id }>;
export type OperationsOf<C extends ConnectorId> = Extract<RegisteredOperation, { connector: C }>;

const BY_ID: ReadonlyMap<string, AnyOperation> = new Map(
  (OPERATIONS as unknown as readonly AnyOperation[]).map((op) => [op.id, op]),
);

export function findOperation(id: string): AnyOperation | undefined {
  return BY_ID.get(id);
}

export function listOperations(connector?: ConnectorId): readonly AnyOperation[] {
  const all = OPERATIONS as unknown as readonly AnyOperation[];
  return connector === undefined ? all : all.filter((op) => op.connector === connector);
}

/** The operation with this id, or a `ValidationError` that suggests the closest id. */
export function requireOperation(id: string): AnyOperation {
  const operation = BY_ID.get(id);
  if (operation !== undefined) return operation;
  const suggestion = closest(id, [...BY_ID.keys()]);
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  throw new ValidationError(`Unknown operation "${id}"${hint}; \`cioc ops\` lists them all`);
}
