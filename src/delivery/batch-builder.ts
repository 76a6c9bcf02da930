/**
 * The v2 batch builder: any number of v2 entities in, per-item results out. Each item is validated
 * (the registry's schema) and sized alone; the valid ones are packed in order into requests under
 * 500 KB, sent through the client (rate limit + retries), and every 207 `errors[].batch_index` is
 * mapped back to the caller's index.
 */
import { writeUlid } from '../ulid.js';
import type { ValidationIssue } from '../errors.js';
import type { Client, CallOptions } from '../client.js';
import {
  AbortedError,
  ApiError,
  CiocError,
  ConnectionError,
  DeliveryUnknownError,
  ForbiddenError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnauthorizedError,
} from '../errors.js';
import { findOperation } from '../operations/registry.js';
import { isMerge, needsEventId, V2_LIMITS, V2Entity } from '../operations/track-v2.js';
import { wireRequest } from '../operations/wire.js';
import { isSendableShape, jsonInputIssues, mayHoldLoneSurrogate } from '../json-input.js';
import { checkerFor } from '../schema.js';

export interface BatchItemProblem {
  /** The item's index in the caller's input. */
  index: number;
  reason: string;
  field?: string;
  /**
   * The item exactly as it was sent, with the `id` it was sent with (person events, pages and
   * screens): `failed`, `maybeDelivered`, and `rejected` by Customer.io (207). Resend this, not
   * your original: the same id lets Customer.io deduplicate an event that did arrive.
   */
  entity?: unknown;
  /** The event `id` the item was sent with, when it has one. */
  id?: string;
}

export interface BatchReport {
  /** Items given. */
  items: number;
  /** Items Customer.io accepted: every index not listed in `rejected`, `failed` or `maybeDelivered`. */
  accepted: number;
  /**
   * Items refused, before sending (invalid, too large) or by Customer.io for their content (207,
   * other 4xx). Do not resend as is.
   */
  rejected: BatchItemProblem[];
  /**
   * Items whose request was refused before it was processed (429, 408, 401/403 for the
   * credentials, or a connection that never carried it), after all retries, or never sent because the batch was aborted: nothing
   * happened, safe to send `entity` again.
   */
  failed: BatchItemProblem[];
  /**
   * Items whose request was sent but got no usable answer (a timeout, a dropped connection, a
   * 5xx), after all retries: they may have been delivered. Resending `entity` is harmless for
   * everything but a merge (events keep their id and are deduplicated; identify, delete and
   * the rest are idempotent); check a merge before sending it again.
   */
  maybeDelivered: BatchItemProblem[];
  /** HTTP requests made (retries not counted). */
  requests: number;
  /** Bytes of those requests' bodies (retries not counted): `bytes / requests` is how full they were. */
  bytes: number;
}

/**
 * `sendBatch` was aborted through its signal. `report` still gives every item read so far its
 * fate: requests in flight at the abort are `maybeDelivered`, items packed but not yet sent are
 * `failed`, and items the input had not yet yielded (index `report.items` onwards) were never read.
 * Resend `maybeDelivered` and `failed` entities (they carry the ids they were given) and the rest
 * of the input: each event is stored once.
 */
export class BatchAbortedError extends AbortedError {
  readonly report: BatchReport;

  constructor(report: BatchReport, cause: unknown) {
    super('The batch was aborted by the caller; `report` tells what became of each item read', { cause });
    this.report = report;
  }
}

/** What one `/v2/batch` request carried and what became of it (`BatchOptions.onRequest`). */
export interface BatchRequestResult {
  /** 1, 2, … in the order the requests were sent. */
  request: number;
  /** How many items it carried. */
  items: number;
  /** The caller's index of its first and last item (invalid items in between were never sent). */
  firstIndex: number;
  lastIndex: number;
  /** The HTTP status of its final answer, when one came (200, 207, or the error's). */
  status?: number;
  /** Its items Customer.io accepted. */
  accepted: number;
  /** When it failed as a whole (after retries): the error, and the list its items went to. */
  error?: CiocError;
  fate?: 'rejected' | 'failed' | 'maybeDelivered';
}

/**
 * Items whose fate became known at once: the items of one request when it settled (answered,
 * or failed after its retries), one item refused before sending, or the items an abort left
 * unsent. `indices` lists them all; those in none of the three lists were accepted.
 */
export interface SettledItems {
  indices: readonly number[];
  rejected: readonly BatchItemProblem[];
  failed: readonly BatchItemProblem[];
  maybeDelivered: readonly BatchItemProblem[];
  /**
   * Set when a request failed as a whole (after its retries): the error. Its items' problems are
   * then about the request, not about them: a 400/404/413 for the whole request (a wrong URL, a
   * body refused for its size) lands them in `rejected`, but nothing says the items are bad.
   * Absent for item-level refusals (207 errors, validation, an item over 32 KB).
   */
  requestError?: CiocError;
}

export interface BatchOptions extends Omit<CallOptions, 'signal'> {
  /** Batch requests in flight at once (default 4); the rate limiter still applies. */
  concurrency?: number;
  signal?: AbortSignal | undefined;
  /** Override the per-request size limit (bytes); never above 500 000. */
  maxBatchBytes?: number;
  /** Told as each request ends (after its retries), in the order they end. */
  onRequest?: ((result: BatchRequestResult) => void) | undefined;
  /**
   * Told as items settle, before `sendBatch` returns: every item given is in exactly one call.
   * Lets a caller act on results while the input is still streaming (a resumable import moves
   * its "acknowledged up to" mark). Must not throw.
   */
  onSettled?: ((settled: SettledItems) => void) | undefined;
  /**
   * The input yields arrays of entities (a streaming producer's batches), taken in order as if
   * yielded one by one: one promise per array instead of one per item.
   */
  chunks?: boolean | undefined;
}

/**
 * One request body being filled: `{"batch":[` + items separated by commas, encoded once, straight
 * into the buffer that undici sends (closed with `]}` when full). Item `i` is the bytes from
 * `i === 0 ? PREFIX.length : ends[i - 1] + 1` to `ends[i]`.
 */
interface PackedBatch {
  indices: number[];
  ends: number[];
  body: Buffer;
  /** Bytes written: the prefix and the items, not yet the closing `]}`. */
  length: number;
  merges: boolean;
}

const PREFIX = Buffer.from('{"batch":[');
const SUFFIX = Buffer.from(']}');
/** What an event id adds to an item: its closing `}` becomes `,"id":"<26>"}`. */
const ID_OPEN = Buffer.from(',"id":"');
const ID_EXTRA_BYTES = ID_OPEN.length + 26 + 2 - 1;
/**
 * Room past the batch limit for the item being written: it is written before we know whether it
 * fits (its size comes from the write) and at most 3 bytes per UTF-16 unit of an item that is not
 * refused unwritten (an item's bytes are never fewer than its UTF-16 length).
 */
const SLACK_BYTES = 3 * V2_LIMITS.itemBytes + ID_EXTRA_BYTES + SUFFIX.length;

/** Sends any number of v2 entities (array, iterable or async iterable) as few batch requests as possible. */
export async function sendBatch(
  client: Client<'track'>,
  entities: Iterable<unknown> | AsyncIterable<unknown>,
  options: BatchOptions = {},
): Promise<BatchReport> {
  const operation = findOperation('track.send_batch');
  if (operation === undefined) throw new Error('track.send_batch is not registered');
  const maxBytes = Math.min(options.maxBatchBytes ?? V2_LIMITS.batchBytes, V2_LIMITS.batchBytes);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const report: BatchReport = {
    items: 0,
    accepted: 0,
    rejected: [],
    failed: [],
    maybeDelivered: [],
    requests: 0,
    bytes: 0,
  };
  const inFlight = new Set<Promise<void>>();
  const settled = options.onSettled ?? ((): void => undefined);
  /** Set by the first abort: nothing more is sent after it. */
  let aborted: AbortedError | undefined;
  const checkAbort = (): void => {
    if (aborted === undefined && options.signal?.aborted === true)
      aborted = new AbortedError('The batch was aborted by the caller');
    if (aborted !== undefined) throw aborted;
  };
  /** Items that never left: safe to send again. */
  const notSent = (batch: PackedBatch): void => {
    const failed = batch.indices.map((index, i) =>
      asSent({ index, reason: 'not sent: the batch was aborted' }, batch, i),
    );
    report.failed.push(...failed);
    if (failed.length > 0) settled({ indices: batch.indices, rejected: [], failed, maybeDelivered: [] });
  };

  const send = async (batch: PackedBatch): Promise<void> => {
    report.requests += 1;
    const result: BatchRequestResult = {
      request: report.requests,
      items: batch.indices.length,
      firstIndex: batch.indices[0] ?? 0,
      lastIndex: batch.indices.at(-1) ?? 0,
      accepted: 0,
    };
    report.bytes += batch.length + SUFFIX.length;
    // The items are already encoded (event ids assigned once, so retries resend the same bytes).
    SUFFIX.copy(batch.body, batch.length);
    const wire = wireRequest('POST', '/v2/batch', {
      body: {
        kind: 'bytes',
        value: batch.body.subarray(0, batch.length + SUFFIX.length),
        contentType: 'application/json',
      },
    });
    try {
      const response = await client.execute(operation, wire, !batch.merges, options);
      const errors =
        response.status === 207 ? ((response.body as { errors?: unknown } | undefined)?.errors ?? []) : [];
      const bad = new Map<number, BatchItemProblem>();
      if (Array.isArray(errors)) {
        for (const e of errors as {
          batch_index?: unknown;
          message?: unknown;
          reason?: unknown;
          field?: unknown;
        }[]) {
          const position = typeof e.batch_index === 'number' ? e.batch_index : -1;
          const index = batch.indices[position];
          if (index === undefined) continue;
          const reason =
            typeof e.message === 'string' ? e.message : typeof e.reason === 'string' ? e.reason : 'rejected';
          const problem: BatchItemProblem = { index, reason };
          if (typeof e.field === 'string' && e.field !== '') problem.field = e.field;
          bad.set(index, asSent(problem, batch, position));
        }
      }
      const rejected = [...bad.values()];
      report.rejected.push(...rejected);
      report.accepted += batch.indices.length - bad.size;
      result.status = response.status;
      result.accepted = batch.indices.length - bad.size;
      settled({ indices: batch.indices, rejected, failed: [], maybeDelivered: [] });
    } catch (error) {
      if (!(error instanceof CiocError)) throw error;
      // An abort while the request was in flight: it may have arrived.
      if (error instanceof AbortedError) aborted ??= error;
      const fate = error instanceof AbortedError ? 'maybeDelivered' : fateOf(error);
      const problems = batch.indices.map((index, i) => {
        const problem: BatchItemProblem = { index, reason: error.message };
        return fate === 'rejected' ? problem : asSent(problem, batch, i);
      });
      report[fate].push(...problems);
      settled({
        indices: batch.indices,
        rejected: fate === 'rejected' ? problems : [],
        failed: fate === 'failed' ? problems : [],
        maybeDelivered: fate === 'maybeDelivered' ? problems : [],
        requestError: error,
      });
      if (error instanceof ApiError) result.status = error.status;
      result.error = error;
      result.fate = fate;
    }
    options.onRequest?.(result);
  };

  const dispatch = async (batch: PackedBatch): Promise<void> => {
    checkAbort();
    while (inFlight.size >= concurrency) {
      await Promise.race(inFlight);
      checkAbort();
    }
    const promise = send(batch).finally(() => {
      inFlight.delete(promise);
      // The request is over (answered, or failed and reported): its buffer can carry the next one.
      if (spare.length <= concurrency) spare.push(batch.body);
    });
    inFlight.add(promise);
  };

  const check = checkerFor(V2Entity);
  const capacity = maxBytes + SLACK_BYTES;
  /**
   * Bodies of finished requests, reused: a long input allocates `concurrency + 2` buffers of about
   * 600 KB, not one per request (external memory that the GC frees late, and that grows the RSS).
   */
  const spare: Buffer[] = [];
  const newBatch = (): PackedBatch => {
    const body = spare.pop() ?? Buffer.allocUnsafe(capacity);
    PREFIX.copy(body, 0);
    return { indices: [], ends: [], body, length: PREFIX.length, merges: false };
  };
  let current = newBatch();
  /** Adds one item; returns a full batch to dispatch, if adding it closed one. */
  const add = (entity: unknown): PackedBatch | undefined => {
    const index = report.items++;
    // Issues are worked out only for an item that fails (the fast checks allocate nothing); its
    // strings are checked on the encoding below, one scan instead of a call per string.
    const issues = isSendableShape(entity) ? check(entity) : jsonInputIssues(entity);
    if (issues !== undefined && issues.length > 0) {
      refuse(index, issues);
      return undefined;
    }
    const item = entity as V2Entity;
    const json = JSON.stringify(item);
    if (mayHoldLoneSurrogate(json)) {
      const exact = jsonInputIssues(entity);
      if (exact.length > 0) {
        refuse(index, exact);
        return undefined;
      }
    }
    const extra = needsEventId(item) ? ID_EXTRA_BYTES : 0;
    // UTF-8 never takes fewer bytes than UTF-16 units: too long a string is refused unwritten.
    if (json.length + extra > V2_LIMITS.itemBytes) {
      rejectTooLarge(index, Buffer.byteLength(json, 'utf8') + extra);
      return undefined;
    }
    const comma = current.indices.length === 0 ? 0 : 1;
    const start = current.length + comma;
    // Encoded once, into the request body; its exact size comes from the write.
    let end = start + current.body.write(json, start, 'utf8');
    // An event without an id gets one (`…}` → `…,"id":"<ULID>"}`), written as bytes in place.
    if (extra > 0) {
      end = ID_OPEN.copy(current.body, end - 1) + end - 1;
      end = writeUlid(current.body, end);
      current.body[end++] = 0x22; // "
      current.body[end++] = 0x7d; // }
    }
    const bytes = end - start;
    if (bytes > V2_LIMITS.itemBytes) {
      rejectTooLarge(index, bytes);
      return undefined;
    }
    let full: PackedBatch | undefined;
    let at = start;
    // Over the limit with the closing `]}`: this batch is full, and the item opens the next.
    // (An item alone over a small `maxBatchBytes` still goes, alone.)
    if (comma === 1 && end + SUFFIX.length > maxBytes) {
      full = current;
      current = newBatch();
      at = current.length;
      full.body.copy(current.body, at, start, end);
    } else if (comma === 1) {
      current.body[start - 1] = 0x2c; // ,
    }
    current.length = at + bytes;
    current.indices.push(index);
    current.ends.push(current.length);
    if (!current.merges && isMerge(item)) current.merges = true;
    return full;
  };
  /** An item refused before sending for what validation found. */
  const refuse = (index: number, issues: readonly ValidationIssue[]): void => {
    const first = issues[0];
    reject({
      index,
      reason: issues.map((i) => `${i.path === '' ? '' : `${i.path} `}${i.message}`).join('; '),
      ...(first === undefined || first.path === '' ? {} : { field: first.path }),
    });
  };
  /** An item refused before sending. */
  const reject = (problem: BatchItemProblem): void => {
    report.rejected.push(problem);
    settled({ indices: [problem.index], rejected: [problem], failed: [], maybeDelivered: [] });
  };
  const rejectTooLarge = (index: number, bytes: number): void => {
    reject({ index, reason: `the item is ${bytes} bytes; at most ${V2_LIMITS.itemBytes} bytes are allowed` });
  };
  /** A full batch handed to `dispatch` but not yet in flight. */
  let waiting: PackedBatch | undefined;
  const flush = async (batch: PackedBatch): Promise<void> => {
    waiting = batch;
    await dispatch(batch);
    waiting = undefined;
  };
  try {
    if (Symbol.iterator in entities) {
      // A plain loop for arrays and generators: `for await` would cost a promise per item.
      for (const entity of entities) {
        const full = add(entity);
        if (full !== undefined) await flush(full);
      }
    } else if (options.chunks === true) {
      for await (const chunk of entities) {
        for (const entity of chunk as readonly unknown[]) {
          const full = add(entity);
          if (full !== undefined) await flush(full);
        }
      }
    } else {
      for await (const entity of entities) {
        const full = add(entity);
        if (full !== undefined) await flush(full);
      }
    }
    if (current.indices.length > 0) {
      const last = current;
      current = newBatch();
      await flush(last);
    }
  } catch (error) {
    if (!(error instanceof AbortedError)) throw error;
  }
  await Promise.all(inFlight);
  if (aborted !== undefined) {
    if (waiting !== undefined) notSent(waiting);
    notSent(current);
  }
  report.rejected.sort((a, b) => a.index - b.index);
  report.failed.sort((a, b) => a.index - b.index);
  report.maybeDelivered.sort((a, b) => a.index - b.index);
  if (aborted !== undefined) throw new BatchAbortedError(report, aborted);
  return report;
}

/** The problem with item `i` of a batch as sent (and the id it carried), parsed only on these rare paths. */
function asSent(problem: BatchItemProblem, batch: PackedBatch, i: number): BatchItemProblem {
  const start = i === 0 ? PREFIX.length : (batch.ends[i - 1] ?? 0) + 1;
  const entity = JSON.parse(batch.body.toString('utf8', start, batch.ends[i])) as unknown;
  problem.entity = entity;
  const id = (entity as { id?: unknown } | null)?.id;
  if (typeof id === 'string') problem.id = id;
  return problem;
}

/**
 * Where the items of a request that finally failed belong. Only what provably was not processed
 * is `failed`: a 429 or 408, a 401 or 403 (the whole request refused for its credentials, before
 * any item was looked at: resend once they are fixed) or a connection that never carried the
 * request. A 5xx, a timeout or a connection lost after sending may come after the change was
 * made (a merge that was applied must not look safe to resend): `maybeDelivered`. Any other
 * answer (4xx) is a refusal of the content: `rejected`.
 */
function fateOf(error: CiocError): 'rejected' | 'failed' | 'maybeDelivered' {
  if (
    error instanceof RateLimitError ||
    error instanceof UnauthorizedError ||
    error instanceof ForbiddenError ||
    (error instanceof ApiError && error.status === 408)
  )
    return 'failed';
  if (error instanceof ConnectionError) return error.beforeSend ? 'failed' : 'maybeDelivered';
  if (
    error instanceof ServerError ||
    error instanceof TimeoutError ||
    error instanceof DeliveryUnknownError
  ) {
    return 'maybeDelivered';
  }
  return 'rejected';
}
