/**
 * The operation registry: every operation, once. Everything else (library, CLI, docs, contract
 * tests) is derived from this list.
 */
import { appRawHttpRequest, betaRawHttpRequest, trackRawHttpRequest } from './raw-http.js';
import { createOrUpdateCustomer, deleteCustomer, trackCustomEvent } from './track-people.js';
import { sendBatch, sendEntity } from './track-v2.js';
import {
  sendInAppMessage,
  sendInboxMessage,
  sendTransactionalEmail,
  sendWhatsappMessage,
  triggerBroadcast,
} from './app-sends.js';
import type { AnyOperation } from './types.js';
import type { ConnectorId } from '../regions.js';
import { APP_SPEC_OPERATIONS } from './generated/app.js';
import { TRACK_SPEC_OPERATIONS } from './generated/track.js';
import { specOperation } from './spec-operation.js';
import type { GeneratedOperationTypes } from './generated/types.js';
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
  sendInboxMessage,
  sendInAppMessage,
  sendWhatsappMessage,
  triggerBroadcast,
  appRawHttpRequest,
  betaRawHttpRequest,
] as const;

export type RegisteredOperation = (typeof OPERATIONS)[number];

/** The generated operations' types; the Beta connector has each App one under `beta.`. */
type BetaSpecTypes = {
  [
    K in keyof GeneratedOperationTypes as K extends `app.${infer Name}` ? `beta.${Name}` : never
  ]: GeneratedOperationTypes[K];
};
export type SpecOperationTypes = GeneratedOperationTypes & BetaSpecTypes;
export type SpecOperationId = keyof SpecOperationTypes;
export type OperationId = RegisteredOperation['id'];
export type OperationById<Id extends OperationId> = Extract<RegisteredOperation, { id: Id }>;
export type OperationsOf<C extends ConnectorId> = Extract<RegisteredOperation, { connector: C }>;

const APP: readonly AnyOperation[] = [
  ...(OPERATIONS as unknown as readonly AnyOperation[]).filter((op) => op.connector === 'app'),
  ...APP_SPEC_OPERATIONS.map(specOperation),
];

/**
 * Every operation: the Track ones (hand-written, then generated from the spec), the App ones, and
 * the App ones again on the Beta host, which serves the App API's routes (customerio-api.md §4).
 * The raw request is the one Beta operation of its own (its base URL differs in its description).
 */
const ALL: readonly AnyOperation[] = [
  ...(OPERATIONS as unknown as readonly AnyOperation[]).filter((op) => op.connector === 'track'),
  ...TRACK_SPEC_OPERATIONS.map(specOperation),
  ...APP,
  ...APP.filter((op) => op.id !== appRawHttpRequest.id).map(onBeta),
  betaRawHttpRequest as unknown as AnyOperation,
];

const BY_ID: ReadonlyMap<string, AnyOperation> = new Map(ALL.map((op) => [op.id, op]));

function onBeta(op: AnyOperation): AnyOperation {
  return { ...op, id: op.id.replace(/^app\./, 'beta.'), connector: 'beta' };
}

export function findOperation(id: string): AnyOperation | undefined {
  return BY_ID.get(id);
}

export function listOperations(connector?: ConnectorId): readonly AnyOperation[] {
  return connector === undefined ? ALL : ALL.filter((op) => op.connector === connector);
}

/** The operation with this id, or a `ValidationError` that suggests the closest id. */
export function requireOperation(id: string): AnyOperation {
  const operation = BY_ID.get(id);
  if (operation !== undefined) return operation;
  const suggestion = closest(id, [...BY_ID.keys()]);
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  throw new ValidationError(`Unknown operation "${id}"${hint}; \`cioc ops\` lists them all`);
}
