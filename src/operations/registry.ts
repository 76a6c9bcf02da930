/**
 * The operation registry: every operation, once. Everything else (library, CLI, docs, contract
 * tests) is derived from this list. A connector's operations are built when first asked for, so a
 * Track command never reads the App spec data (start-up, issue #12).
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
import { CONNECTOR_IDS, type ConnectorId } from '../regions.js';
import { specOperationData } from '../spec-data.js';
import { specOperation } from './spec-operation.js';
import type { GeneratedOperationTypes, GeneratedPaginatedItems } from './generated/types.js';
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
/** The listings that paginate, by id: the output field holding a page's items (Beta has App's). */
export type PaginatedItems = GeneratedPaginatedItems & {
  [
    K in keyof GeneratedPaginatedItems as K extends `app.${infer Name}` ? `beta.${Name}` : never
  ]: GeneratedPaginatedItems[K];
};
export type PaginatedOperationId = keyof PaginatedItems & SpecOperationId;
/** One item of a paginated listing's pages (`unknown` where the spec does not say). */
export type PageItemOf<Id extends PaginatedOperationId> = ItemsIn<
  SpecOperationTypes[Id]['output'],
  PaginatedItems[Id]
>;
type ItemsIn<Output, Key extends string> = [
  Output extends { readonly [P in Key]?: infer Items } ? NonNullable<Items> : never,
] extends [infer Items]
  ? [Items] extends [never]
    ? unknown
    : Items extends ReadonlyArray<infer Item>
      ? Item
      : unknown
  : unknown;
export type OperationId = RegisteredOperation['id'];
export type OperationById<Id extends OperationId> = Extract<RegisteredOperation, { id: Id }>;
export type OperationsOf<C extends ConnectorId> = Extract<RegisteredOperation, { connector: C }>;

const HAND_WRITTEN = OPERATIONS as unknown as readonly AnyOperation[];
const handWritten = (connector: ConnectorId) => HAND_WRITTEN.filter((op) => op.connector === connector);

/**
 * A connector's operations, built the first time it is asked for: the hand-written ones, then the
 * ones generated from its spec. Beta serves the App API's routes (customerio-api.md §4): it has each
 * App operation again, and a raw request of its own (its base URL differs in its description).
 */
function build(connector: ConnectorId): readonly AnyOperation[] {
  switch (connector) {
    case 'track':
      return [...handWritten('track'), ...specOperationData('track').map(specOperation)];
    case 'app':
      return [...handWritten('app'), ...specOperationData('app').map(specOperation)];
    case 'beta':
      return [
        ...operationsOf('app')
          .filter((op) => op.id !== appRawHttpRequest.id)
          .map(onBeta),
        ...handWritten('beta'),
      ];
  }
}

const BY_CONNECTOR = new Map<
  ConnectorId,
  { list: readonly AnyOperation[]; byId: Map<string, AnyOperation> }
>();

function loaded(connector: ConnectorId) {
  let entry = BY_CONNECTOR.get(connector);
  if (entry === undefined) {
    const list = build(connector);
    entry = { list, byId: new Map(list.map((op) => [op.id, op])) };
    BY_CONNECTOR.set(connector, entry);
  }
  return entry;
}

const operationsOf = (connector: ConnectorId): readonly AnyOperation[] => loaded(connector).list;

let all: readonly AnyOperation[] | undefined;

function onBeta(op: AnyOperation): AnyOperation {
  return { ...op, id: op.id.replace(/^app\./, 'beta.'), connector: 'beta' };
}

const isConnector = (name: string): name is ConnectorId =>
  (CONNECTOR_IDS as readonly string[]).includes(name);

/** The operation with this id; only its connector's operations are loaded to find it. */
export function findOperation(id: string): AnyOperation | undefined {
  const connector = id.slice(0, id.indexOf('.'));
  return isConnector(connector) ? loaded(connector).byId.get(id) : undefined;
}

/** Every operation (Track, App, Beta), or one connector's. */
export function listOperations(connector?: ConnectorId): readonly AnyOperation[] {
  if (connector !== undefined) return operationsOf(connector);
  return (all ??= CONNECTOR_IDS.flatMap(operationsOf));
}

/** The operation with this id, or a `ValidationError` that suggests the closest id. */
export function requireOperation(id: string): AnyOperation {
  const operation = findOperation(id);
  if (operation !== undefined) return operation;
  const suggestion = closest(
    id,
    listOperations().map((op) => op.id),
  );
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  // Library words: the CLI adds its own hint (`cioc ops`) where it calls this.
  throw new ValidationError(`Unknown operation "${id}"${hint}; listOperations() lists them all`);
}
