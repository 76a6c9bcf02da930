/**
 * The search filter grammars (customerio-api.md §3.5): people by `and`, `or`, `not`,
 * `segment: {id}` and `attribute: {field, operator: eq|exists, value}`; objects by the same without
 * segments. Anything else is a 400 naming it.
 */
import { metaError } from './errors.js';
import type { ObjectRecord } from './objects.js';
import type { EmulatorState, Person } from './workspace.js';

type Node = Record<string, unknown>;

/** Whether a person matches a customer search filter. */
export function matchesFilter(state: EmulatorState, person: Person, filter: unknown, at = 'filter'): boolean {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    throw metaError(400, `${at} must be an object`);
  const node = filter as Node;
  const keys = Object.keys(node);
  if (keys.length !== 1)
    throw metaError(400, `${at} must have exactly one of and, or, not, segment, attribute`);
  const [kind] = keys;
  const value = node[kind ?? ''];
  switch (kind) {
    case 'and':
    case 'or': {
      if (!Array.isArray(value) || value.length === 0)
        throw metaError(400, `${at}.${kind} must be a non-empty array`);
      const results = value.map((f, i) => matchesFilter(state, person, f, `${at}.${kind}[${String(i)}]`));
      return kind === 'and' ? results.every(Boolean) : results.some(Boolean);
    }
    case 'not':
      return !matchesFilter(state, person, value, `${at}.not`);
    case 'segment': {
      const id = (value as Node | undefined)?.['id'];
      if (typeof id !== 'number') throw metaError(400, `${at}.segment.id must be a number`);
      return state.segments.get(id)?.has(person.cio_id) === true;
    }
    case 'attribute': {
      const condition = (value ?? {}) as Node;
      const field = condition['field'];
      if (typeof field !== 'string') throw metaError(400, `${at}.attribute.field must be a string`);
      const actual = field === 'id' ? person.id : field === 'email' ? person.email : person.attributes[field];
      if (condition['operator'] === 'exists') return actual !== undefined && actual !== null;
      if (condition['operator'] === 'eq')
        return actual !== undefined && actual !== null && actual === String(condition['value']);
      throw metaError(400, `${at}.attribute.operator must be eq or exists`);
    }
    default:
      throw metaError(400, `${at}: unknown filter "${String(kind)}"`);
  }
}

/** Object filters: `and`, `or`, `not` and `attribute: {field, operator: eq|exists, value}`. */
export function objectMatches(object: ObjectRecord, filter: unknown, at = 'filter'): boolean {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    throw metaError(400, `${at} must be an object`);
  const [kind, value] = Object.entries(filter as Node)[0] ?? [];
  switch (kind) {
    case 'and':
    case 'or': {
      if (!Array.isArray(value) || value.length === 0)
        throw metaError(400, `${at}.${kind} must be a non-empty array`);
      const results = value.map((f, i) => objectMatches(object, f, `${at}.${kind}[${String(i)}]`));
      return kind === 'and' ? results.every(Boolean) : results.some(Boolean);
    }
    case 'not':
      return !objectMatches(object, value, `${at}.not`);
    case 'object_attribute':
    case 'attribute': {
      const condition = (value ?? {}) as Node;
      const actual =
        typeof condition['field'] === 'string' ? object.attributes[condition['field']] : undefined;
      if (condition['operator'] === 'exists') return actual !== undefined;
      if (condition['operator'] === 'eq') return actual === String(condition['value']);
      throw metaError(400, `${at}.${kind}.operator must be eq or exists`);
    }
    default:
      throw metaError(400, `${at}: unknown filter "${String(kind)}"`);
  }
}
