/**
 * `npm run chaos` (not part of `npm test`): 1,000,000 events (CHAOS_ROWS) imported by the real
 * `cioc import` into `cioc emulator`, which answers 5% of batch requests 503, 5% 429 (Retry-After:
 * 1), and drops 1% of connections (half before, half after processing the request). The importer
 * is SIGKILLed 3 times (CHAOS_KILLS) at random moments and run again each time, until it reports
 * completed. The emulator must then hold exactly one event per row: 0 lost, 0 duplicates.
 * Prints the counts; exits 1 if they are not exact.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEventsNdjson } from './import-files.js';
import { CIOC, SITE_ID, startEmulator, TRACK_KEY } from './support.js';

const ROWS = Number(process.env['CHAOS_ROWS'] ?? 1_000_000);
const KILLS = Number(process.env['CHAOS_KILLS'] ?? 3);
const started = Date.now();
const log = (text: string): void => {
  process.stderr.write(`[chaos ${String(Math.round((Date.now() - started) / 1000))}s] ${text}\n`);
};

const dir = mkdtempSync(join(tmpdir(), 'cioc-chaos-'));
const file = join(dir, 'events.ndjson');
log(`writing ${ROWS.toLocaleString('en-US')} events to ${file}`);
await writeEventsNdjson(file, ROWS);

const emulator = await startEmulator();
const faults = [
  { status: 503, probability: 0.05 },
  { status: 429, headers: { 'retry-after': '1' }, probability: 0.05 },
  { drop: true, probability: 0.005 },
  { drop: 'after_processing', probability: 0.005 },
];
for (const fault of faults)
  await fetch(`${emulator.url}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ method: 'POST', path: '/api/v2/batch', ...fault }),
  });
const env = {
  PATH: process.env['PATH'] ?? '',
  HOME: process.env['HOME'] ?? '/tmp',
  CIOC_HOME: join(dir, 'home'),
  CIOC_REGION: 'emulator',
  CIOC_EMULATOR_URL: emulator.url,
  CIOC_SITE_ID: SITE_ID,
  CIOC_TRACK_API_KEY: TRACK_KEY,
};

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  summary?: Record<string, unknown>;
}
/** One `cioc import events FILE --json`, SIGKILLed after `killAfterMs` if given. */
function run(killAfterMs?: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CIOC, 'import', 'events', file, '--json'], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      let summary: Record<string, unknown> | undefined;
      try {
        summary = JSON.parse(out) as Record<string, unknown>;
      } catch {
        summary = undefined;
      }
      resolve({ code, signal, ...(summary === undefined ? {} : { summary }) });
    });
  });
}

let runs = 0;
let kills = 0;
let last: Run | undefined;
for (let k = 0; k < KILLS; k++) {
  // A random moment in the first seconds of each run (one import of a million rows takes ~10-30 s).
  const after = 1_000 + Math.floor(Math.random() * 3_000);
  runs++;
  last = await run(after);
  if (last.signal === 'SIGKILL') {
    kills++;
    log(`run ${String(runs)}: SIGKILLed after ${String(after)} ms`);
  } else {
    log(`run ${String(runs)} ended before its kill (${String(last.summary?.['status'])})`);
    if (last.summary?.['status'] === 'completed') break;
  }
}
while (
  last?.summary?.['status'] !== 'completed' &&
  last?.summary?.['status'] !== 'already_imported' &&
  runs < 20
) {
  runs++;
  last = await run();
  log(
    `run ${String(runs)}: ${String(last.summary?.['status'])}, resumed after row ${String(last.summary?.['resumedAfter'])}`,
  );
}

// Connections dropped without an answer are logged with status 0 (the log keeps the last 10,000).
const logged = (
  (await (await fetch(`${emulator.url}/__emulator/requests`)).json()) as { requests: { status: number }[] }
).requests;
const dropped = logged.filter((r) => r.status === 0).length;
const stats = (await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as {
  events: number;
  duplicate_events: number;
  by_status: Record<string, number>;
};
// Every stored event's `row` field, each row once.
log('reading the stored events back');
const events = (
  (await (await fetch(`${emulator.url}/__emulator/events`)).json()) as { events: { data: { row: number } }[] }
).events;
const seen = new Uint8Array(ROWS + 1);
let duplicates = 0;
let foreign = 0;
for (const event of events) {
  const row = event.data.row;
  if (!Number.isInteger(row) || row < 1 || row > ROWS) foreign++;
  else if (seen[row] === 1) duplicates++;
  else seen[row] = 1;
}
let lost = 0;
for (let row = 1; row <= ROWS; row++) if (seen[row] !== 1) lost++;
await emulator.stop();
rmSync(dir, { recursive: true, force: true });

const counts = {
  rows: ROWS,
  runs,
  sigkills: kills,
  stored_events: stats.events,
  unique_rows_stored: ROWS - lost,
  lost,
  duplicates: duplicates + foreign,
  resent_and_deduplicated_by_id: stats.duplicate_events,
  answers: stats.by_status,
  dropped_connections: dropped,
  final_summary: last?.summary,
  seconds: Math.round((Date.now() - started) / 1000),
};
process.stdout.write(`${JSON.stringify(counts, null, 2)}\n`);
const exact = lost === 0 && duplicates + foreign === 0 && stats.events === ROWS;
log(
  exact
    ? `exact: ${ROWS.toLocaleString('en-US')} rows → ${stats.events.toLocaleString('en-US')} unique events, 0 lost, 0 duplicates`
    : 'NOT exact',
);
process.exit(exact ? 0 : 1);
