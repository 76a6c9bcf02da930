/**
 * `cioc track send-batch` (or `cioc run track.send_batch`) with more items than one request may
 * carry (500 KB): instead of refusing, the batch builder (`sendBatch`) packs them into as many
 * `/v2/batch` requests as needed. Every item is still checked first (an item over 32 KB is an
 * error naming it, and nothing is sent); the result is one combined report, with each request's
 * outcome, as JSON on stdout, and a line per request on a terminal.
 */
import type { Client } from '../client.js';
import { encodeValid } from '../client.js';
import { sendBatch, type BatchRequestResult } from '../delivery/batch-builder.js';
import { CiocError, errorToJson } from '../errors.js';
import type { AnyOperation } from '../operations/types.js';
import { V2_LIMITS } from '../operations/track-v2.js';
import { printJson, type Io } from './io.js';
import type { Progress } from './progress.js';

/** Whether this command's input is a batch too big for one request. */
export function needsSplit(operation: AnyOperation, input: unknown): boolean {
  if (operation.id !== 'track.send_batch') return false;
  const batch = (input as { batch?: unknown } | null)?.batch;
  if (!Array.isArray(batch)) return false;
  try {
    return Buffer.byteLength(JSON.stringify(input), 'utf8') > V2_LIMITS.batchBytes;
  } catch {
    return false; // not JSON at all: the ordinary validation says why
  }
}

/**
 * Every check of `track.send_batch` but the one on the whole request's size: the schema, each
 * item's 32 KB (`/batch/7 is 40123 bytes…`), values that cannot be JSON. Throws `ValidationError`.
 */
export function validateSplit(operation: AnyOperation, input: unknown): void {
  const refine = operation.refine;
  if (refine === undefined) {
    encodeValid(operation, input);
    return;
  }
  // The refinement's only issue at `/batch` itself is the total size, which splitting solves.
  encodeValid({ ...operation, refine: (value) => refine(value).filter((i) => i.path !== '/batch') }, input);
}

const count = (n: number): string => n.toLocaleString('en-US');

function requestLine(r: BatchRequestResult): string {
  const items = `Request ${String(r.request)}: items ${count(r.firstIndex)}–${count(r.lastIndex)} (${count(r.items)})`;
  if (r.error !== undefined) {
    const fate =
      r.fate === 'failed'
        ? 'not processed, safe to resend'
        : r.fate === 'maybeDelivered'
          ? 'may have been delivered'
          : 'refused';
    return `${items} → ${r.error.message} (${fate})`;
  }
  const rejected = r.items - r.accepted;
  return `${items} → ${String(r.status ?? '')}, ${rejected === 0 ? 'all accepted' : `${count(r.accepted)} accepted, ${count(rejected)} rejected`}`;
}

/** Sends the batch through the builder and prints the combined report; throws when requests failed. */
export async function sendSplitBatch(
  io: Io,
  client: Client<'track'>,
  input: { batch: readonly unknown[] },
  progress: Progress,
  options: { verbose: boolean; human: boolean },
): Promise<void> {
  const results: BatchRequestResult[] = [];
  progress.say(
    `${count(input.batch.length)} items are over the ${count(V2_LIMITS.batchBytes)}-byte limit of one request: sending them in several`,
  );
  const report = await sendBatch(client, input.batch, {
    onRequest: (result) => {
      results.push(result);
      progress.say(requestLine(result));
      if (options.verbose && !options.human) {
        const { error, ...rest } = result;
        const log = {
          type: 'batch_request',
          ...rest,
          ...(error === undefined ? {} : { error: error.message }),
        };
        io.stderr.write(`${JSON.stringify({ log })}\n`);
      }
    },
  });
  progress.stop();
  results.sort((a, b) => a.request - b.request);
  const rejected = report.rejected.length;
  const unsent = report.failed.length + report.maybeDelivered.length;
  printJson(io, {
    // As one request answers: 200 when every item was accepted, 207 when some were not.
    status: report.accepted === report.items ? 200 : 207,
    // Rejected items by their index in your input (as `batch_index` is in one request's answer).
    errors: report.rejected.map((r) => ({
      batch_index: r.index,
      message: r.reason,
      ...(r.field === undefined ? {} : { field: r.field }),
    })),
    items: report.items,
    accepted: report.accepted,
    // Not processed (safe to resend `entity`) / sent without a usable answer (may have arrived).
    failed: report.failed,
    maybe_delivered: report.maybeDelivered,
    requests: results.map((r) => ({
      request: r.request,
      items: r.items,
      first_index: r.firstIndex,
      last_index: r.lastIndex,
      ...(r.status === undefined ? {} : { status: r.status }),
      accepted: r.accepted,
      ...(r.error === undefined ? {} : { error: errorToJson(r.error) }),
    })),
  });
  progress.say(
    `Sent ${count(report.items)} items in ${String(report.requests)} requests: ${count(report.accepted)} accepted${
      rejected === 0 ? '' : `, ${count(rejected)} rejected`
    }${unsent === 0 ? '' : `, ${count(unsent)} not confirmed`}.`,
  );
  // A request that failed as a whole makes the command fail, with that error's exit code; the
  // report above says which items to resend. Items refused one by one (207) do not, as for one request.
  const failure =
    results.find((r) => r.fate === 'maybeDelivered') ??
    results.find((r) => r.fate === 'failed') ??
    results.find((r) => r.error !== undefined);
  if (failure?.error instanceof CiocError) {
    const error = failure.error;
    error.hint = `${count(unsent + rejected)} of ${count(report.items)} items were not accepted; the report on standard output lists them (resend the "entity" of "failed" and "maybe_delivered").`;
    throw error;
  }
}
