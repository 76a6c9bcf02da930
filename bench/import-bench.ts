/**
 * Bulk import benchmarks (issue #14), each contender in its own process on files generated here
 * (never committed):
 * - throughput of `importFile` into the no-op sink vs csv-parse alone reading the same file
 *   (target ≥ 0.5×), interleaved rounds;
 * - vs a loop of customerio-node@4 `identify()` calls on the same rows into the same sink;
 * - peak RSS of `cioc import people` with 1,000,000 rows vs 10,000 (target ≤ 1.5× and ≤ 200 MB);
 * - against the emulator's `--rate-limit track=100`: average request size as a share of the
 *   500 KB ceiling (target ≥ 90%) and the 429s (target 0).
 * `importBench()` is one section of `npm run bench`; `tsx bench/import-bench.ts` runs it alone and
 * rewrites only that section of docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeEventsNdjson, writePeopleCsv } from './import-files.js';
import { CIOC, ROOT, runContender, SITE_ID, startEmulator, startSink, TRACK_KEY } from './support.js';

const ROWS = Number(process.env['BENCH_IMPORT_ROWS'] ?? 500_000);
const RSS_SMALL = 10_000;
const RSS_LARGE = Number(process.env['BENCH_IMPORT_RSS_ROWS'] ?? 1_000_000);
const LIMITED_ROWS = Number(process.env['BENCH_IMPORT_LIMITED_ROWS'] ?? 500_000);
const REPEATS = Number(process.env['BENCH_IMPORT_REPEATS'] ?? 3);
const IDENTIFY_SECONDS = Number(process.env['BENCH_IMPORT_IDENTIFY_SECONDS'] ?? 10);

interface Contender {
  mode: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  cpuSeconds: number;
  rowsPerCpuSecond: number;
  requests?: number;
  bytesSent?: number;
  rateLimited?: number;
}

export interface ImportBench {
  text: string;
  markdown: string;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const x = (n: number): string => `${n.toFixed(2)}×`;
const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');

/** Runs `cioc import …` and returns its peak RSS (VmHWM polled from /proc) and its JSON summary. */
function cliImport(
  args: string[],
  env: Record<string, string>,
): Promise<{ peakMb: number; summary: Record<string, unknown> }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CIOC, 'import', ...args, '--json'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${String(child.pid)}/status`, 'utf8');
        const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (kb > peakKb) peakKb = kb;
      } catch {
        // The process is gone.
      }
    }, 20);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`cioc import exited with ${String(code)}: ${out}`));
      else resolveRun({ peakMb: peakKb / 1024, summary: JSON.parse(out) as Record<string, unknown> });
    });
  });
}

async function emulatorStats(url: string): Promise<{ by_status: Record<string, number> }> {
  return (await (await fetch(`${url}/__emulator/stats`)).json()) as { by_status: Record<string, number> };
}

const loadAverage = (): string =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');

export async function importBench(log: (text: string) => void): Promise<ImportBench> {
  const loadAtStart = loadAverage();
  const dir = mkdtempSync(join(tmpdir(), 'cioc-bench-import-'));
  try {
    const file = join(dir, 'people.csv');
    log(`import: generating ${int(ROWS)}, ${int(RSS_SMALL)} and ${int(RSS_LARGE)}-row people CSVs in ${dir}`);
    await writePeopleCsv(file, ROWS);
    const small = join(dir, 'small.csv');
    const large = join(dir, 'large.csv');
    await writePeopleCsv(small, RSS_SMALL);
    await writePeopleCsv(large, RSS_LARGE);

    // Throughput against the sink, interleaved with csv-parse alone.
    const sink = await startSink();
    const parsed: Contender[] = [];
    const imported: Contender[] = [];
    for (let round = 1; round <= REPEATS; round++) {
      log(`import: round ${String(round)}/${String(REPEATS)}: csv-parse alone, then importFile → sink`);
      parsed.push(await runContender<Contender>('import-contender.ts', ['csv-parse', file]));
      imported.push(await runContender<Contender>('import-contender.ts', ['import', file, sink.url]));
    }
    // The same rows through customerio-node identify(), one call at a time, into the same sink.
    log(`import: customerio-node identify() → sink for at most ${String(IDENTIFY_SECONDS)} s`);
    const identify = await runContender<Contender>('import-contender.ts', [
      'identify',
      file,
      sink.url,
      String(IDENTIFY_SECONDS),
    ]);
    // Peak RSS of the real command.
    const env = {
      CIOC_REGION: 'emulator',
      CIOC_EMULATOR_URL: sink.url,
      CIOC_SITE_ID: SITE_ID,
      CIOC_TRACK_API_KEY: TRACK_KEY,
      CIOC_HOME: join(dir, 'home'),
    };
    log(`import: peak RSS of cioc import, ${int(RSS_SMALL)} then ${int(RSS_LARGE)} rows`);
    const rssSmall = await cliImport(['people', small], env);
    const rssLarge = await cliImport(['people', large], env);
    await sink.stop();

    // Rate limited: Track 100 req/s at the emulator, the client's default limits.
    // Events: the emulator stores them without looking people up (a linear scan per identify).
    const limited = await startEmulator(['--rate-limit', 'track=100']);
    const limitedFile = join(dir, 'limited.ndjson');
    await writeEventsNdjson(limitedFile, LIMITED_ROWS);
    log(`import: ${int(LIMITED_ROWS)} events into the emulator at track=100/s`);
    const rateLimited = await runContender<Contender>('import-contender.ts', [
      'import-limited',
      limitedFile,
      limited.url,
    ]);
    const limitedStats = await emulatorStats(limited.url);
    await limited.stop();

    const parseRate = median(parsed.map((r) => r.rowsPerSecond));
    const importRate = median(imported.map((r) => r.rowsPerSecond));
    const parseCpu = median(parsed.map((r) => r.rowsPerCpuSecond));
    const importCpu = median(imported.map((r) => r.rowsPerCpuSecond));
    const wallRatio = importRate / parseRate;
    const cpuRatio = importCpu / parseCpu;
    const rssRatio = rssLarge.peakMb / rssSmall.peakMb;
    const averageRequest = (rateLimited.bytesSent ?? 0) / Math.max(1, rateLimited.requests ?? 1);
    const share = averageRequest / 500_000;
    const answered429 = limitedStats.by_status['429'] ?? 0;
    const range = (values: number[]): string =>
      `${int(median(values))} [${int(Math.min(...values))}–${int(Math.max(...values))}]`;

    const rows: string[][] = [
      ['Bulk import (issue #14)', 'measured', 'target'],
      [
        `csv-parse alone, ${int(ROWS)}-row people CSV: rows/s wall (rows per CPU-s)`,
        `${range(parsed.map((r) => r.rowsPerSecond))} (${int(parseCpu)})`,
        '',
      ],
      [
        '`importFile` → no-op sink (mapping, validation, ids, packing, HTTP, checkpoint): rows/s wall (rows per CPU-s)',
        `${range(imported.map((r) => r.rowsPerSecond))} (${int(importCpu)})`,
        '',
      ],
      [
        'import ÷ csv-parse alone, wall (CPU)',
        `${x(wallRatio)} (${x(cpuRatio)})`,
        `≥ 0.5×: ${verdict(wallRatio >= 0.5)}`,
      ],
      [
        `customerio-node@4 \`identify()\` loop → the same sink, one call at a time, ${String(IDENTIFY_SECONDS)} s: rows/s`,
        `${int(identify.rowsPerSecond)} (${int(identify.rows)} rows)`,
        '',
      ],
      ['`importFile` ÷ `identify()` loop', x(importRate / identify.rowsPerSecond), ''],
      [
        `peak RSS, \`cioc import people\`: ${int(RSS_LARGE)} rows vs ${int(RSS_SMALL)}`,
        `${rssLarge.peakMb.toFixed(0)} MB vs ${rssSmall.peakMb.toFixed(0)} MB (${x(rssRatio)})`,
        `≤ 1.5× and ≤ 200 MB: ${verdict(rssRatio <= 1.5 && rssLarge.peakMb <= 200)}`,
      ],
      [
        `emulator at track=100/s, ${int(LIMITED_ROWS)} events (NDJSON): average request / 500 KB`,
        `${(averageRequest / 1000).toFixed(1)} KB = ${(share * 100).toFixed(1)}% over ${int(rateLimited.requests ?? 0)} requests, ${int(rateLimited.rowsPerSecond)} rows/s`,
        `≥ 90%: ${verdict(share >= 0.9)}`,
      ],
      [
        'same run: 429 answers',
        `${int(answered429)} (client saw ${int(rateLimited.rateLimited ?? 0)})`,
        `0: ${verdict(answered429 === 0)}`,
      ],
    ];
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    const text = rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
    const table = [rows[0] ?? [], (rows[0] ?? []).map(() => '---'), ...rows.slice(1)]
      .map((r) => `| ${r.join(' | ')} |`)
      .join('\n');
    const markdown = `${table}

Load average (1, 5, 15 min) at the start of this section: ${loadAtStart}; at its end: ${loadAverage()}
(${String(cpus().length)} cores shared with other jobs: wall-clock rows/s and peak RSS move with it).

- Files generated by \`bench/import-files.ts\` into a temporary folder: people rows
  \`id,email,first_name,last_name,plan,country,created_at\` (about 66 bytes a row, 5 attributes each
  as sent). Throughput: ${String(REPEATS)} interleaved rounds of csv-parse alone (\`for await\` over the
  parser, counting records) and \`importFile\` (fingerprint, CSV, mapping, validation, packing, 4
  requests in flight, checkpoint, client-side rate limit off) into the no-op sink; median [min–max].
  Both include their own start-up after module loading.
- The \`identify()\` loop (csv-parse, then \`await client.identify(id, attributes)\` per row, as a
  script looping over a file would) sends the same file to the same sink and stops after
  ${String(IDENTIFY_SECONDS)} s. Against the emulator both would measure the emulator: it finds people by a
  linear scan, so its identifies slow down as people accumulate.
- Peak RSS: the real \`cioc import people FILE --json\` against the sink, VmHWM polled from \`/proc\`.
- Rate limit: the client's default limits (Track 100 req/s) against \`cioc emulator --rate-limit
  track=100\`; bytes are the request bodies sent (\`BatchReport.bytes\`).`;
    return { text, markdown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const IMPORT_START = '<!-- import-bench:start -->';
export const IMPORT_END = '<!-- import-bench:end -->';

// Alone: only this section of docs/benchmarks.md is rewritten.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(ROOT, 'bench/import-bench.ts')) {
  const started = Date.now();
  const log = (text: string): void => {
    process.stderr.write(`[import-bench ${String(Math.round((Date.now() - started) / 1000))}s] ${text}\n`);
  };
  const result = await importBench(log);
  process.stdout.write(`${result.text}\n`);
  const path = resolve(ROOT, 'docs/benchmarks.md');
  const doc = readFileSync(path, 'utf8');
  const section = `${IMPORT_START}\n${result.markdown}\n${IMPORT_END}`;
  const at = doc.indexOf(IMPORT_START);
  const end = doc.indexOf(IMPORT_END);
  const updated =
    at !== -1 && end !== -1
      ? `${doc.slice(0, at)}${section}${doc.slice(end + IMPORT_END.length)}`
      : `${doc.trimEnd()}\n\n## Bulk import (issue #14)\n\n${section}\n`;
  writeFileSync(path, updated);
  log('updated the bulk import section of docs/benchmarks.md');
}
