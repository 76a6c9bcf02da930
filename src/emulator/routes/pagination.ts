/** Cursor pagination of App list answers: `start` is an opaque cursor, `next` empty on the last page. */
import { metaError } from '../model/errors.js';

/** Opaque cursors: the offset of the next page, base64url-encoded. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${String(offset)}`).toString('base64url');
}
export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return 0;
  const match = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Cursor pagination over a list: `start` is an opaque cursor, `next` empty on the last page. */
export function page<T>(
  items: readonly T[],
  start: string | undefined,
  limitText: string | undefined,
  defaults: { limit: number; max: number },
): { items: T[]; next: string } {
  const limit = limitText === undefined ? defaults.limit : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > defaults.max)
    throw metaError(400, `limit must be an integer from 1 to ${String(defaults.max)}`);
  const offset = decodeCursor(start);
  if (offset === undefined) throw metaError(400, 'start is not a cursor this API returned');
  return {
    items: items.slice(offset, offset + limit),
    next: offset + limit < items.length ? encodeCursor(offset + limit) : '',
  };
}
