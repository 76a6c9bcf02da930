/** `when` conditions: one operator applied to the value at a reference path. */
import { isDeepStrictEqual } from 'node:util';
import { CONDITION_OPERATORS, type Condition, type ConditionOperator } from './document.js';
import { lookup, parseReferenceOrPath, resolveValue } from './references.js';

/** The operators a condition uses (valid conditions have exactly one). */
export function operatorsOf(condition: Condition): ConditionOperator[] {
  return CONDITION_OPERATORS.filter((op) => condition[op] !== undefined);
}

export function evaluateCondition(condition: Condition, scope: unknown): boolean {
  const value = lookup(scope, parseReferenceOrPath(condition.path).segments);
  const [operator] = operatorsOf(condition);
  const operand = operator === undefined ? undefined : resolveValue(condition[operator], scope);
  const present = value !== undefined && value !== null;
  switch (operator) {
    case 'equals':
      return isDeepStrictEqual(value, operand);
    case 'not_equals':
      return !isDeepStrictEqual(value, operand);
    case 'exists':
      return operand === false ? !present : present;
    case 'not_exists':
      return operand === false ? present : !present;
    case 'gt':
      return compare(value, operand) > 0;
    case 'lt':
      return compare(value, operand) < 0;
    case 'contains':
      if (typeof value === 'string') return typeof operand === 'string' && value.includes(operand);
      if (Array.isArray(value)) return value.some((item) => isDeepStrictEqual(item, operand));
      return false;
    default:
      return true;
  }
}

/** Numbers compare as numbers, strings as strings (ISO dates order correctly); otherwise NaN. */
function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'number' && a.trim() !== '' && Number.isFinite(Number(a)))
    return Number(a) - b;
  return Number.NaN;
}
