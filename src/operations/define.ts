import type { TSchema } from '../json-schema.js';
import type { ConnectorId } from '../regions.js';
import type { OperationDef } from './types.js';

/**
 * Declares an operation, keeping its literal id and schema types for the typed client. The id must
 * be `<connector>.<snake_case_name>`.
 */
export function defineOperation<
  const Id extends `${C}.${string}`,
  const C extends ConnectorId,
  I extends TSchema,
  O extends TSchema,
>(def: OperationDef<Id, C, I, O>): OperationDef<Id, C, I, O> {
  if (!new RegExp(`^${def.connector}\\.[a-z][a-z0-9_]*$`).test(def.id)) {
    throw new Error(`Operation id "${def.id}" must be "${def.connector}.<snake_case_name>"`);
  }
  return Object.freeze(def);
}
