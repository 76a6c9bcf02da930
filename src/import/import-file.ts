/**
 * `importFile(client, options)`: a CSV or NDJSON file of people, events or objects into Customer.io
 * through the v2 batch builder, exactly once and resumable.
 *
 * - Every row has a number (rows.ts). Rows become v2 entities (mapping.ts); events get a
 *   deterministic id from the import key and their row number (event-id.ts).
 * - As requests settle (`sendBatch`'s `onSettled`), each row's fate is recorded; the checkpoint's
 *   watermark moves up to the last row below which every row is accepted or rejected (rejected
 *   rows are written to the rejects file first). Rows whose request failed on transport after its
 *   retries are sent again in this run (up to `rounds` times); if they still fail, the import
 *   stops with them unacknowledged, and the next run resumes from there.
 * - A resume skips the rows up to the watermark; rows after it that were already sent are sent
 *   again: events carry the same ids (Customer.io keeps one), identifies are idempotent.
 * - `stop` (Ctrl-C) ends reading; the requests in flight finish and the checkpoint is saved.
 *   `signal` aborts them too (what they carried is sent again on resume).
 */
import { closeSync, ftruncateSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '../client.js';
import {
  sendBatch,
  BatchAbortedError,
  type BatchItemProblem,
  type BatchOptions,
  type SettledItems,
} from '../delivery/batch-builder.js';
import { ApiError, ConfigError, type CiocError } from '../errors.js';
import { V2_LIMITS, V2Entity } from '../operations/track-v2.js';
import { checkerFor } from '../schema.js';
import {
  checkpointPath,
  defaultImportsDir,
  otherUnfinished,
  readCheckpoint,
  removeCheckpoint,
  writeCheckpoint,
  type Checkpoint,
} from './checkpoint.js';
import { EventIds } from './event-id.js';
import { checkFile, fingerprintFile, openInput, type ImportFormat } from './input.js';
import { RowMapper, type MappingOptions } from './mapping.js';
import { readCsv, readNdjson, type ReadRow } from './rows.js';

export interface ImportOptions extends MappingOptions {
  /** A path, or `-` for standard input (`stdin`). */
  file: string;
  stdin?: NodeJS.ReadableStream | undefined;
  /** Default: from the file name, or for standard input its first character. */
  format?: ImportFormat | undefined;
  /** CSV field delimiter (default `,`; tab for `.tsv`). */
  delimiter?: string | undefined;
  /** CSV quote character (default `"`). */
  quote?: string | undefined;
  /** CSV: a quote inside an unquoted field is part of it (csv-parse `relax_quotes`), not an error. */
  relaxQuotes?: boolean | undefined;
  /** Read, map and validate every row; send nothing, keep no checkpoint. */
  dryRun?: boolean | undefined;
  /** Forget this file's checkpoint and start from the first row. */
  restart?: boolean | undefined;
  /** Where checkpoints live (default `$CIOC_HOME/imports`, ~/.cioc/imports). */
  checkpointDir?: string | undefined;
  /** Where rejected rows go, one JSON line each (default beside the checkpoint). */
  rejectsFile?: string | undefined;
  /** Requests in flight (default 4). */
  concurrency?: number | undefined;
  maxBatchBytes?: number | undefined;
  maxRetries?: number | undefined;
  /** Times a row whose request failed on transport is sent again in this run (default 3). */
  rounds?: number | undefined;
  /** Stop reading: requests in flight finish, the checkpoint is saved. */
  stop?: AbortSignal | undefined;
  /** Abort now, requests in flight included. */
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** Default 250 ms. */
  progressIntervalMs?: number | undefined;
  /** How often the checkpoint is written while rows are acknowledged (default 1000 ms). */
  checkpointIntervalMs?: number | undefined;
}

export interface ImportProgress {
  phase: 'fingerprint' | 'skipping' | 'importing' | 'finishing';
  /** Rows read from the file in this run (skipped ones included). */
  rowsRead: number;
  bytesRead: number;
  /** The file's size (as stored); undefined for standard input. */
  totalBytes: number | undefined;
  /** Rows accepted (all runs of this import). */
  sent: number;
  rejected: number;
  /** Rows waiting to be sent again after a transport failure. */
  retrying: number;
  requests: number;
  rateLimited: number;
  /** Every row up to this one has been accepted or rejected. */
  acknowledgedThrough: number;
  /** Rows a previous run had acknowledged (skipped by this one). */
  resumedAfter: number;
  elapsedMs: number;
}

export type ImportStatus = 'completed' | 'stopped' | 'incomplete' | 'already_imported' | 'dry_run';

export interface ImportSummary {
  status: ImportStatus;
  file: string;
  kind: string;
  format: ImportFormat;
  gzip: boolean;
  /** Rows in the file seen by this run (skipped ones included). */
  rowsRead: number;
  /** Rows a previous run had acknowledged; this run started after them. */
  resumedAfter: number;
  /** Rows accepted, over every run of this import (dry run: rows that would be sent). */
  sent: number;
  /** Rows rejected, over every run of this import, each in the rejects file. */
  rejected: number;
  /** Rows read but not acknowledged (stopped or incomplete runs): the next run sends them. */
  unacknowledged: number;
  acknowledgedThrough: number;
  /** HTTP requests of this run (retries not counted); dry run: requests it would take. */
  requests: number;
  /** Bytes of this run's request bodies (retries not counted): `bytesSent / requests` is how full they were. */
  bytesSent: number;
  /** Retries of this run, and how many answers were 429. */
  retries: number;
  rateLimited: number;
  durationMs: number;
  rowsPerSecond: number;
  checkpoint?: string;
  /** Where the rejected rows are (absent when none was: no empty file is left behind). */
  rejectsFile?: string;
  /** Why an incomplete import stopped. */
  reason?: string;
  warnings: string[];
}

interface Requeued {
  row: number;
  entity: unknown;
  /** The row as read (for its reject line). */
  source: unknown;
  attempts: number;
  reason: string;
}
interface RejectLine {
  row: number;
  reason: string;
  field?: string;
  /** The row as read (CSV: by column name). */
  record?: unknown;
  /** A row that could not be read: its text (NDJSON) or fields (CSV). */
  raw?: unknown;
  /** A row Customer.io refused: the item as it was sent. */
  item?: unknown;
}

/**
 * Events from standard input get new ids on every run (there is no file to fingerprint): the same
 * input imported twice is stored twice.
 */
export const STDIN_EVENTS_WARNING =
  'Events from standard input get new ids on every run: importing the same input again stores every event again. Give a file path instead to make a repeat or a resume safe.';

/** Imports a file; see the module comment. Dry runs need no client. */
export async function importFile(
  client: Client<'track'> | undefined,
  options: ImportOptions,
): Promise<ImportSummary> {
  const started = Date.now();
  const stdin = options.file === '-';
  const warnings: string[] = [];
  const file = stdin ? '-' : resolve(options.file);
  if (stdin && options.kind === 'events' && options.dryRun !== true) warnings.push(STDIN_EVENTS_WARNING);
  if (client === undefined && options.dryRun !== true)
    throw new ConfigError('importFile needs a Track client unless dryRun is set');
  const emit = options.onProgress ?? ((): void => undefined);
  const totalBytes = stdin ? undefined : checkFile(file);
  let phase: ImportProgress['phase'] = 'fingerprint';
  const baseProgress = (): ImportProgress => ({
    phase,
    rowsRead: 0,
    bytesRead: 0,
    totalBytes,
    sent: 0,
    rejected: 0,
    retrying: 0,
    requests: 0,
    rateLimited: 0,
    acknowledgedThrough: 0,
    resumedAfter: 0,
    elapsedMs: Date.now() - started,
  });
  emit(baseProgress());
  const fingerprint = stdin
    ? `stdin:${String(started)}:${String(Math.random())}`
    : await fingerprintFile(file);
  const input = await openInput(file, { format: options.format, stdin: options.stdin });
  const delimiter = options.delimiter ?? input.defaultDelimiter;

  // Rows and their mapper (CSV: the header is checked against the flags and --map now).
  let rows: AsyncGenerator<ReadRow[]>;
  let mapper: RowMapper;
  try {
    if (input.format === 'csv') {
      const csv = await readCsv(input.stream, {
        delimiter,
        quote: options.quote,
        relaxQuotes: options.relaxQuotes,
      });
      mapper = new RowMapper(options, csv.columns);
      rows = csv.rows;
    } else {
      mapper = new RowMapper(options, undefined);
      // The generator starts on the first row asked for, once the checkpoint is known.
      rows = readNdjson(input.stream, () => skipThrough);
    }
  } catch (error) {
    input.stream.destroy();
    throw error;
  }

  // The import key: the file's fingerprint and everything that decides what a row becomes.
  const key = createHash('sha256')
    .update(
      JSON.stringify({
        fingerprint,
        kind: options.kind,
        format: input.format,
        delimiter: delimiter ?? ',',
        quote: options.quote ?? '"',
        // Only when set: the keys of imports without it stay as they were.
        ...(options.relaxQuotes === true && input.format === 'csv' ? { relaxQuotes: true } : {}),
        identifier: [mapper.identifierColumn, mapper.identifierType],
        name: [mapper.nameColumn ?? null, options.eventName ?? null],
        timestamp: mapper.timestampColumn ?? null,
        objectTypeId: options.objectTypeId ?? null,
        map: options.map ?? null,
        emptyAsNull: options.emptyAsNull === true,
      }),
    )
    .digest('hex')
    .slice(0, 32);

  const dir = options.checkpointDir ?? defaultImportsDir();
  const cpPath = checkpointPath(dir, key);
  const useCheckpoint = !stdin && options.dryRun !== true;
  if (useCheckpoint && options.restart !== true) {
    for (const other of otherUnfinished(dir, file, key))
      warnings.push(
        `An unfinished import of this file (up to row ${String(other.acknowledgedThrough)}) was made from other content or other options; this one starts from the first row.`,
      );
  }
  const previous = useCheckpoint ? readCheckpoint(cpPath) : undefined;
  const rejectsFile =
    options.rejectsFile !== undefined
      ? resolve(options.rejectsFile)
      : join(
          dir,
          `${stdin ? `stdin-${String(started)}` : key}${options.dryRun === true ? '.dry-run' : ''}.rejects.ndjson`,
        );

  if (previous?.completed === true && options.restart !== true) {
    input.stream.destroy();
    return {
      status: 'already_imported',
      file,
      kind: options.kind,
      format: input.format,
      gzip: input.gzip,
      rowsRead: 0,
      resumedAfter: previous.acknowledgedThrough,
      sent: previous.accepted,
      rejected: previous.rejected,
      unacknowledged: 0,
      acknowledgedThrough: previous.acknowledgedThrough,
      requests: 0,
      bytesSent: 0,
      retries: 0,
      rateLimited: previous.rateLimited,
      durationMs: Date.now() - started,
      rowsPerSecond: 0,
      checkpoint: cpPath,
      ...(previous.rejectsBytes === 0 ? {} : { rejectsFile: previous.rejectsFile }),
      warnings: [
        `This file was already imported completely (${String(previous.acknowledgedThrough)} rows); nothing was sent. Use --restart to import it again (events keep their ids, so Customer.io keeps one of each).`,
      ],
    };
  }
  const resume = previous !== undefined && options.restart !== true ? previous : undefined;
  if (options.restart === true && previous !== undefined) removeCheckpoint(cpPath);
  const checkpoint: Checkpoint = {
    version: 1,
    file,
    fingerprint,
    kind: options.kind,
    key,
    // A restart keeps the first start time: rows without a time keep their ids.
    startedAt: previous?.startedAt ?? started,
    updatedAt: started,
    acknowledgedThrough: resume?.acknowledgedThrough ?? 0,
    accepted: resume?.accepted ?? 0,
    rejected: resume?.rejected ?? 0,
    requests: resume?.requests ?? 0,
    rateLimited: resume?.rateLimited ?? 0,
    rejectsFile: resume?.rejectsFile ?? rejectsFile,
    rejectsBytes: resume?.rejectsBytes ?? 0,
    completed: false,
  };
  const ids = new EventIds(key);
  const skipThrough = checkpoint.acknowledgedThrough;

  // The rejects file: cut back to the checkpoint's length (lines written after it are written again).
  mkdirSync(dirname(checkpoint.rejectsFile), { recursive: true, mode: 0o700 });
  // 0600 like the checkpoint: rejected rows hold personal data.
  const rejectsFd = openSync(checkpoint.rejectsFile, resume === undefined ? 'w' : 'a', 0o600);
  if (resume !== undefined && statSync(checkpoint.rejectsFile).size > checkpoint.rejectsBytes)
    ftruncateSync(rejectsFd, checkpoint.rejectsBytes);
  const writeReject = (line: RejectLine): void => {
    const text = `${JSON.stringify(line)}\n`;
    checkpoint.rejectsBytes += writeSync(rejectsFd, text);
    checkpoint.rejected++;
  };

  // Live counts.
  let rowsRead = 0;
  let lastRow = 0;
  let liveSent = checkpoint.accepted;
  let liveRejected = checkpoint.rejected;
  let requests = 0;
  let bytesSent = 0;
  let retries = 0;
  let rateLimited = 0;
  const queue: Requeued[] = [];
  /** Rows past the watermark whose fate is known: null = accepted. */
  const done = new RowFates(checkpoint.acknowledgedThrough + 1);
  let fatal: unknown;
  let givenUp: Requeued | undefined;
  /**
   * A request refused as a whole (a 400/404/413 for the request, not its items: a wrong URL, a
   * body too large): its rows stay unacknowledged, the import stops `incomplete`, and the next
   * run sends them. Nothing says the rows are bad, so none is written off.
   */
  let refusedRequest: { row: number; error: CiocError } | undefined;
  let sourceDone = false;

  const progress = (): ImportProgress => ({
    phase,
    rowsRead,
    bytesRead: input.bytesRead(),
    totalBytes,
    sent: liveSent,
    rejected: liveRejected,
    retrying: queue.length,
    requests: checkpoint.requests,
    rateLimited: checkpoint.rateLimited,
    acknowledgedThrough: checkpoint.acknowledgedThrough,
    resumedAfter: skipThrough,
    elapsedMs: Date.now() - started,
  });
  const ticker = setInterval(() => {
    emit(progress());
  }, options.progressIntervalMs ?? 250);
  ticker.unref();

  let savedAt = 0;
  const save = (force = false): void => {
    if (!useCheckpoint) return;
    const now = Date.now();
    if (!force && now - savedAt < (options.checkpointIntervalMs ?? 1000)) return;
    savedAt = now;
    checkpoint.updatedAt = now;
    writeCheckpoint(cpPath, checkpoint, dir);
  };
  const advance = (): void => {
    let moved = false;
    for (;;) {
      const next = checkpoint.acknowledgedThrough + 1;
      const fate = done.shift();
      if (fate === undefined) break;
      if (fate === null) checkpoint.accepted++;
      else writeReject(fate);
      checkpoint.acknowledgedThrough = next;
      moved = true;
    }
    if (moved) save();
  };
  /** A row as read (CSV fields or an NDJSON object) as its reject line's `record`. */
  const recordOf = (source: unknown): unknown =>
    Array.isArray(source) ? mapper.recordOf({ fields: source as string[] }) : source;
  const settleRow = (row: number, fate: RejectLine | null): void => {
    if (fate === null) liveSent++;
    else liveRejected++;
    done.set(row, fate);
  };

  try {
    if (options.dryRun === true) {
      phase = 'importing';
      const dry = await dryRun(
        rows,
        mapper,
        ids,
        checkpoint.startedAt,
        options,
        (row) => {
          rowsRead = row;
        },
        (line) => {
          writeReject(line);
          liveRejected++;
        },
      );
      liveSent = dry.valid;
      lastRow = dry.rows;
      checkpoint.requests = dry.requests;
      checkpoint.acknowledgedThrough = dry.rows;
      checkpoint.accepted = dry.valid;
      sourceDone = true;
    } else {
      const trackClient = client as Client<'track'>;
      /**
       * sendBatch index → the row number it carries, per call. Only numbers: rows in flight keep
       * nothing alive (what a refused row held comes back from sendBatch as it was sent).
       */
      let inFlight = new IndexWindow<number>();
      /** sendBatch index → the row as read (CSV fields or NDJSON object), for a reject line's `record`. */
      let sources = new IndexWindow<unknown>();
      /** Rows sent again after a transport failure → the rounds they have had. */
      const attempts = new Map<number, number>();
      const onSettled = (settled: SettledItems): void => {
        try {
          const problems = new Map<number, { problem: BatchItemProblem; fate: 'rejected' | 'retry' }>();
          for (const p of settled.rejected) problems.set(p.index, { problem: p, fate: 'rejected' });
          for (const p of settled.failed) problems.set(p.index, { problem: p, fate: 'retry' });
          for (const p of settled.maybeDelivered) problems.set(p.index, { problem: p, fate: 'retry' });
          for (const index of settled.indices) {
            const row = inFlight.take(index);
            const source = sources.take(index);
            if (row === undefined) continue;
            const problem = problems.size === 0 ? undefined : problems.get(index);
            if (problem?.fate === 'rejected' && settled.requestError !== undefined) {
              // The whole request was refused: left unacknowledged, for the next run.
              if (refusedRequest === undefined || row < refusedRequest.row)
                refusedRequest = { row, error: settled.requestError };
              continue;
            }
            if (problem === undefined) {
              if (attempts.size > 0) attempts.delete(row);
              settleRow(row, null);
            } else if (problem.fate === 'rejected') {
              if (attempts.size > 0) attempts.delete(row);
              settleRow(row, {
                row,
                reason: problem.problem.reason,
                ...(problem.problem.field === undefined ? {} : { field: problem.problem.field }),
                record: recordOf(source),
                ...(problem.problem.entity === undefined ? {} : { item: problem.problem.entity }),
              });
            } else {
              const requeued: Requeued = {
                row,
                entity: problem.problem.entity,
                source,
                attempts: (attempts.get(row) ?? 0) + 1,
                reason: problem.problem.reason,
              };
              attempts.set(row, requeued.attempts);
              // Stopping: left unacknowledged, for the next run.
              if (stopping()) continue;
              if (requeued.attempts > (options.rounds ?? 3)) givenUp ??= requeued;
              else {
                queue.push(requeued);
                readyAt = Math.max(
                  readyAt,
                  Date.now() + Math.min(30_000, 1000 * 2 ** (requeued.attempts - 1)),
                );
              }
            }
          }
          advance();
        } catch (error) {
          fatal ??= error;
        }
      };
      let readyAt = 0;
      const stopping = (): boolean =>
        options.stop?.aborted === true ||
        options.signal?.aborted === true ||
        givenUp !== undefined ||
        refusedRequest !== undefined ||
        fatal !== undefined;
      /** The rows waiting to be sent again, if their pause is over. */
      const requeuedNow = (): unknown[] => {
        if (queue.length === 0 || Date.now() < readyAt) return [];
        return queue.splice(0).map((item) => {
          inFlight.push(item.row);
          sources.push(item.source);
          return item.entity;
        });
      };
      // Entities go to sendBatch in arrays (`chunks`): one per chunk of the file.
      async function* fromFile(): AsyncGenerator<unknown[]> {
        try {
          for (;;) {
            if (stopping()) return;
            const again = requeuedNow();
            if (again.length > 0) yield again;
            const next = await rows.next();
            if (next.done === true) {
              sourceDone = true;
              return;
            }
            const chunk: unknown[] = [];
            for (const read of next.value) {
              if (stopping()) break;
              rowsRead++;
              lastRow = read.row;
              if (read.row <= skipThrough) {
                phase = 'skipping';
                continue;
              }
              phase = 'importing';
              const result = toEntity(read, mapper, ids, options.kind, checkpoint.startedAt);
              if ('reason' in result) {
                settleRow(read.row, result);
                advance();
                continue;
              }
              inFlight.push(read.row);
              sources.push(read.fields ?? read.values);
              chunk.push(result.entity);
              // Small arrays: entities waiting in a long one would outlive young-generation GCs.
              if (chunk.length === 256) yield chunk.splice(0);
            }
            if (chunk.length > 0) yield chunk;
          }
        } catch (error) {
          fatal ??= error;
        }
      }
      async function* fromQueue(): AsyncGenerator<unknown[]> {
        // Failures of this round wait for the next one (after its pause).
        while (!stopping() && queue.length > 0 && Date.now() >= readyAt) yield requeuedNow();
      }
      const batchOptions: BatchOptions = {
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
        ...(options.maxBatchBytes === undefined ? {} : { maxBatchBytes: options.maxBatchBytes }),
        maxRetries: options.maxRetries,
        signal: options.signal,
        onSettled,
        chunks: true,
        onEvent: (event) => {
          if (event.type === 'retry') retries++;
          if ((event.type === 'retry' || event.type === 'give_up') && event.cause === '429') {
            rateLimited++;
            checkpoint.rateLimited++;
          }
        },
      };
      const run = async (source: AsyncIterable<unknown>): Promise<void> => {
        inFlight = new IndexWindow<number>();
        sources = new IndexWindow<unknown>();
        try {
          const report = await sendBatch(trackClient, source, batchOptions);
          requests += report.requests;
          bytesSent += report.bytes;
          checkpoint.requests += report.requests;
        } catch (error) {
          if (!(error instanceof BatchAbortedError)) throw error;
          requests += error.report.requests;
          bytesSent += error.report.bytes;
          checkpoint.requests += error.report.requests;
        }
      };
      await run(fromFile());
      // What failed on transport in the last requests: again, after a pause, a few rounds at most.
      const interrupt = AbortSignal.any(
        [options.stop, options.signal].filter((s): s is AbortSignal => s !== undefined),
      );
      while (queue.length > 0 && !stopping()) {
        phase = 'finishing';
        await sleep(Math.max(0, readyAt - Date.now()), undefined, { signal: interrupt }).catch(
          () => undefined,
        );
        await run(fromQueue());
      }
    }
  } finally {
    clearInterval(ticker);
    input.stream.destroy();
    // Whatever happened, the acknowledged rows are on disk.
    try {
      const unacknowledged = lastRow - checkpoint.acknowledgedThrough;
      checkpoint.completed =
        options.dryRun !== true &&
        sourceDone &&
        unacknowledged === 0 &&
        queue.length === 0 &&
        fatal === undefined;
      save(true);
    } finally {
      closeSync(rejectsFd);
      // No rejects file is left behind when nothing was rejected (a resume creates it again).
      if (checkpoint.rejectsBytes === 0) rmSync(checkpoint.rejectsFile, { force: true });
    }
  }
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrown as caught (a source or rejects-file error)
  if (fatal !== undefined) throw fatal;

  const unseen = mapper.unseenMapColumns();
  if (input.format === 'ndjson' && unseen.length > 0 && rowsRead > 0)
    warnings.push(`--map names ${unseen.map((c) => `"${c}"`).join(', ')}, which no row had.`);
  const durationMs = Date.now() - started;
  const unacknowledged = Math.max(0, lastRow - checkpoint.acknowledgedThrough);
  const status: ImportStatus =
    options.dryRun === true
      ? 'dry_run'
      : checkpoint.completed
        ? 'completed'
        : givenUp !== undefined || refusedRequest !== undefined
          ? 'incomplete'
          : 'stopped';
  const summary: ImportSummary = {
    status,
    file,
    kind: options.kind,
    format: input.format,
    gzip: input.gzip,
    rowsRead,
    resumedAfter: skipThrough,
    sent: options.dryRun === true ? liveSent : checkpoint.accepted,
    rejected: options.dryRun === true ? liveRejected : checkpoint.rejected,
    unacknowledged,
    acknowledgedThrough: checkpoint.acknowledgedThrough,
    requests: options.dryRun === true ? checkpoint.requests : requests,
    bytesSent,
    retries,
    rateLimited,
    durationMs,
    rowsPerSecond: Math.round(
      ((rowsRead - Math.min(rowsRead, skipThrough)) * 1000) / Math.max(1, durationMs),
    ),
    ...(checkpoint.rejectsBytes === 0 ? {} : { rejectsFile: checkpoint.rejectsFile }),
    warnings,
  };
  if (useCheckpoint) summary.checkpoint = cpPath;
  if (refusedRequest !== undefined)
    summary.reason = `the request carrying row ${String(refusedRequest.row)} and others was refused as a whole (${describeError(refusedRequest.error)}); its rows were not written off: fix the cause and run the import again to send them`;
  else if (givenUp !== undefined)
    summary.reason = `row ${String(givenUp.row)} and others could not be delivered after ${String(givenUp.attempts)} rounds of retries: ${givenUp.reason}`;
  phase = 'finishing';
  emit(progress());
  return summary;
}

/**
 * The fates of the rows after the watermark (`null`: accepted), by row number: an array from the
 * first row not yet acknowledged, taken from the front as the watermark moves.
 */
class RowFates {
  private items: (RejectLine | null | undefined)[] = [];
  private head = 0;

  /** @param first the first row not yet acknowledged */
  constructor(private first: number) {}

  set(row: number, fate: RejectLine | null): void {
    this.items[row - this.first + this.head] = fate;
  }

  /** The fate of the first row not yet acknowledged, removed; undefined while it is unknown. */
  shift(): RejectLine | null | undefined {
    const fate = this.items[this.head];
    if (fate === undefined) return undefined;
    this.items[this.head++] = undefined;
    this.first++;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return fate;
  }
}

/**
 * Values under consecutive keys from 0 (sendBatch's indices), mostly taken in order: an array
 * whose taken front is dropped now and then, instead of a Map entry per row.
 */
class IndexWindow<T> {
  private items: (T | undefined)[] = [];
  /** The key of items[0]. */
  private base = 0;
  private head = 0;

  push(value: T): void {
    this.items.push(value);
  }

  take(key: number): T | undefined {
    const at = key - this.base;
    const value = this.items[at];
    this.items[at] = undefined;
    while (this.head < this.items.length && this.items[this.head] === undefined) this.head++;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
    return value;
  }
}

/** An error as a reject reason or summary names it: its HTTP status, when it has one, and message. */
function describeError(error: CiocError): string {
  return error instanceof ApiError ? `HTTP ${String(error.status)}: ${error.message}` : error.message;
}

/** A row as the entity to send, or its reject line. */
function toEntity(
  read: ReadRow,
  mapper: RowMapper,
  ids: EventIds,
  kind: string,
  startedAt: number,
): { entity: Record<string, unknown> } | RejectLine {
  if (read.problem !== undefined) return { row: read.row, reason: read.problem, raw: read.raw };
  const mapped = read.fields !== undefined ? mapper.mapFields(read.fields) : mapper.map(read.values ?? {});
  if ('reason' in mapped)
    return {
      row: read.row,
      reason: mapped.reason,
      ...(mapped.field === undefined ? {} : { field: mapped.field }),
      record: mapper.recordOf(read),
    };
  if (kind === 'events') mapped.entity['id'] = ids.idFor(read.row, mapped.timeMs ?? startedAt);
  return mapped;
}

/** Maps and validates every row as the batch builder would, and counts the requests it would take. */
async function dryRun(
  rows: AsyncGenerator<ReadRow[]>,
  mapper: RowMapper,
  ids: EventIds,
  startedAt: number,
  options: ImportOptions,
  onRow: (row: number) => void,
  reject: (line: RejectLine) => void,
): Promise<{ rows: number; valid: number; requests: number }> {
  const check = checkerFor(V2Entity);
  const maxBytes = Math.min(options.maxBatchBytes ?? V2_LIMITS.batchBytes, V2_LIMITS.batchBytes);
  let valid = 0;
  let requests = 0;
  let batchBytes = 0;
  let last = 0;
  for await (const batch of rows) {
    for (const read of batch) {
      last = read.row;
      onRow(read.row);
      const result = toEntity(read, mapper, ids, options.kind, startedAt);
      if ('reason' in result) {
        reject(result);
        continue;
      }
      const issues = check(result.entity);
      if (issues !== undefined && issues.length > 0) {
        reject({
          row: read.row,
          reason: issues.map((i) => `${i.path} ${i.message}`.trim()).join('; '),
          record: mapper.recordOf(read),
        });
        continue;
      }
      const bytes = Buffer.byteLength(JSON.stringify(result.entity), 'utf8');
      if (bytes > V2_LIMITS.itemBytes) {
        reject({
          row: read.row,
          reason: `the item is ${String(bytes)} bytes; at most ${String(V2_LIMITS.itemBytes)} bytes are allowed`,
          record: mapper.recordOf(read),
        });
        continue;
      }
      valid++;
      if (batchBytes === 0 || batchBytes + bytes + 1 + 2 > maxBytes) {
        requests++;
        batchBytes = 10 + bytes;
      } else batchBytes += bytes + 1;
    }
  }
  return { rows: last, valid, requests };
}
