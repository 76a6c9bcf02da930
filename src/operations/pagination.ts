/**
 * Paginated listings (customerio-api.md §3.3): `start`/`next` cursors, and `limit`/`offset` for
 * the ESP suppression list. Which operations paginate, and where their items are, is derived from
 * their schemas: an input `start` (or `offset`) and an output array.
 */
import type { AnyOperation } from './types.js';

export interface Pagination {
  readonly kind: 'cursor' | 'offset';
  /** The output property holding a page's items. */
  readonly items: string;
}

type Node = Record<string, unknown>;
const asNode = (value: unknown): Node => (typeof value === 'object' && value !== null ? (value as Node) : {});
const cache = new WeakMap<object, Pagination | null>();

function outputArrays(schema: unknown): string[] {
  const node = asNode(schema);
  const own = Object.entries(asNode(node['properties']))
    .filter(([, value]) => {
      const type: unknown = asNode(value)['type'];
      return type === 'array' || (Array.isArray(type) && type.includes('array'));
    })
    .map(([key]) => key);
  if (own.length > 0) return own;
  const first: unknown = Array.isArray(node['anyOf']) ? (node['anyOf'] as unknown[])[0] : undefined;
  return first === undefined ? [] : outputArrays(first);
}

export function paginationOf(op: AnyOperation): Pagination | undefined {
  const cached = cache.get(op);
  if (cached !== undefined) return cached ?? undefined;
  const inputs = Object.keys(asNode(asNode(op.input)['properties']));
  const arrays = outputArrays(op.output);
  // `identifiers` (id, email, cio_id) is richer than the bare `ids` both searches return.
  const items = arrays.includes('identifiers') ? 'identifiers' : arrays[0];
  let found: Pagination | null = null;
  if (op.method === 'GET' || op.method === 'POST') {
    if (items !== undefined && inputs.includes('start')) found = { kind: 'cursor', items };
    else if (items !== undefined && inputs.includes('offset') && inputs.includes('limit'))
      found = { kind: 'offset', items };
  }
  cache.set(op, found);
  return found ?? undefined;
}

export interface PageOptions {
  /** Stop after this many pages (default 1000). */
  maxPages?: number;
  signal?: AbortSignal;
  /** Told of each page as it arrives, before its items are yielded (progress lines). */
  onPage?: (page: PageInfo) => void;
}

export interface PageInfo {
  /** 1 for the first page. */
  readonly number: number;
  /** Items on this page. */
  readonly items: number;
  /** Whether another page follows (when `number` is `maxPages`, the listing was cut short). */
  readonly more: boolean;
}

/** Every item of a paginated operation, page after page, following `next` (or the offset). */
export async function* paginate(
  run: (input: Record<string, unknown>) => Promise<unknown>,
  op: AnyOperation,
  input: Record<string, unknown>,
  options: PageOptions = {},
): AsyncGenerator<unknown, void, undefined> {
  const pagination = paginationOf(op);
  if (pagination === undefined) throw new Error(`${op.id} is not paginated`);
  const maxPages = options.maxPages ?? 1000;
  let cursor: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (let page = 0; page < maxPages; page++) {
    options.signal?.throwIfAborted();
    const output = asNode(await run({ ...input, ...cursor }));
    const items = output[pagination.items];
    const list = Array.isArray(items) ? (items as unknown[]) : [];
    const next = nextCursor(pagination, output, list, input, cursor);
    if (next !== undefined && pagination.kind === 'cursor') seen.add(String(next['start']));
    options.onPage?.({ number: page + 1, items: list.length, more: next !== undefined });
    for (const item of list) yield item;
    if (next === undefined) return;
    cursor = next;
  }

  function nextCursor(
    pagination: Pagination,
    output: Node,
    list: readonly unknown[],
    input: Record<string, unknown>,
    cursor: Record<string, unknown>,
  ): Record<string, unknown> | undefined {
    if (pagination.kind === 'cursor') {
      const next = output['next'];
      // An empty or absent `next` is the last page; a repeated one would loop forever.
      if (typeof next !== 'string' || next === '' || seen.has(next)) return undefined;
      return { start: next };
    }
    if (list.length === 0) return undefined;
    const offset =
      (typeof cursor['offset'] === 'number'
        ? cursor['offset']
        : typeof input['offset'] === 'number'
          ? input['offset']
          : 0) + list.length;
    const limit = typeof input['limit'] === 'number' ? input['limit'] : undefined;
    if (limit !== undefined && list.length < limit) return undefined;
    return { offset };
  }
}
