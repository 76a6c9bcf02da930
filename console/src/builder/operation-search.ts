/** Searching the operation list: every word must match; title matches rank first, then registry order. */
import type { OperationSummary } from '../types.js';

export function searchOperations(list: readonly OperationSummary[], query: string): OperationSummary[] {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length === 0) return [...list];
  const scored: { op: OperationSummary; score: number; order: number }[] = [];
  list.forEach((op, order) => {
    const title = op.title.toLowerCase();
    const all = `${title} ${op.id.toLowerCase()} ${op.description.toLowerCase()} ${op.method.toLowerCase()} ${op.path.toLowerCase()}`;
    if (!words.every((w) => all.includes(w))) return;
    const score =
      words.filter((w) => title.includes(w)).length * 2 + (title.startsWith(words[0] ?? '') ? 1 : 0);
    scored.push({ op, score, order });
  });
  return scored.sort((a, b) => b.score - a.score || a.order - b.order).map((s) => s.op);
}
