/**
 * How deeply a JSON value nests, measured without recursion (a 20,000-deep value must get a clear
 * error, not "Maximum call stack size exceeded"). Stops counting past `limit`.
 */
export function exceedsDepth(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === undefined) break;
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth >= limit) return true;
    const children: unknown[] = Array.isArray(next.value) ? next.value : Object.values(next.value);
    for (const child of children) stack.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

/** Deepest nesting of a workflow document (its loops, inputs, conditions). */
export const MAX_DOCUMENT_DEPTH = 64;
/** Deepest nesting of a run's trigger data (webhook body, `--input`). */
export const MAX_INPUT_DEPTH = 64;

/**
 * The JSON pointer of the first `__proto__` key in a value, if any. Such a key is an ordinary key
 * in parsed JSON, but copying it into a plain object would set the copy's prototype instead: data
 * would be lost or changed silently, so it is refused clearly.
 */
export function protoKeyPointer(value: unknown): string | undefined {
  const stack: { value: unknown; at: string }[] = [{ value, at: '' }];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === undefined) break;
    if (typeof next.value !== 'object' || next.value === null) continue;
    for (const [key, child] of Object.entries(next.value)) {
      const at = `${next.at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (key === '__proto__') return at;
      stack.push({ value: child, at });
    }
  }
  return undefined;
}
