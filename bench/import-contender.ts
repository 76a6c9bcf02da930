/**
 * One contender of the import benchmarks, in its own process; prints one JSON line.
 * Usage: import-contender.ts <mode> <file> [url] [seconds]
 *
 * - `csv-parse`: csv-parse alone reading the file (header + records counted): the floor.
 * - `import`: `importFile` of the people CSV (events for `.ndjson`) to `url` (client-side rate limit off: against the sink
 *   it measures the importer; against the rate-limited emulator use `import-limited`).
 * - `import-limited`: the same with the client's default limits (Track 100 req/s).
 * - `identify`: a loop of customerio-node@4 `identify()` calls on the same rows, one at a time,
 *   for at most `seconds`.
 */
import { createReadStream, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { TrackClient } from 'customerio-node';
import { createClient } from '../dist/client.js';
import { importFile } from '../dist/import/import-file.js';
import { peakRssMb, SITE_ID, TRACK_KEY } from './support.js';

const [mode = 'csv-parse', file = '', url = '', secondsText = '10'] = process.argv.slice(2);
const cpuStart = process.cpuUsage();
const started = performance.now();
const done = (fields: Record<string, unknown>): void => {
  const cpu = process.cpuUsage(cpuStart);
  const seconds = (performance.now() - started) / 1000;
  const rows = Number(fields['rows'] ?? 0);
  console.log(
    JSON.stringify({
      mode,
      ...fields,
      seconds,
      rowsPerSecond: rows / seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rowsPerCpuSecond: rows / ((cpu.user + cpu.system) / 1e6),
      peakRssMb: peakRssMb(),
    }),
  );
};

if (mode === 'csv-parse') {
  let records = 0;
  for await (const _record of createReadStream(file, { highWaterMark: 1 << 18 }).pipe(
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true }),
  ))
    records++;
  done({ rows: records - 1 });
} else if (mode === 'import' || mode === 'import-limited') {
  const client = createClient({
    connector: 'track',
    region: 'emulator',
    emulatorUrl: url,
    credentials: { siteId: SITE_ID, apiKey: TRACK_KEY },
    ...(mode === 'import' ? { rateLimits: false as const } : {}),
  });
  const summary = await importFile(client, {
    kind: file.endsWith('.ndjson') ? 'events' : 'people',
    file,
    checkpointDir: mkdtempSync(join(tmpdir(), 'cioc-bench-import-')),
  });
  await client.close();
  if (summary.status !== 'completed') throw new Error(`import ${summary.status}`);
  done({
    rows: summary.rowsRead,
    sent: summary.sent,
    rejected: summary.rejected,
    requests: summary.requests,
    bytesSent: summary.bytesSent,
    rateLimited: summary.rateLimited,
  });
} else if (mode === 'identify') {
  const deadline = performance.now() + Number(secondsText) * 1000;
  const origin = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const client = new TrackClient(SITE_ID, TRACK_KEY, {
    url: `${url}/api/v1`,
    port: Number(origin.port),
    protocol: 'http:',
    agent,
  });
  let rows = 0;
  let columns: string[] | undefined;
  const parser = createReadStream(file).pipe(parse({ bom: true }));
  for await (const record of parser as AsyncIterable<string[]>) {
    if (columns === undefined) {
      columns = record;
      continue;
    }
    const attributes: Record<string, string> = {};
    columns.forEach((column, i) => {
      if (column !== 'id' && record[i] !== undefined && record[i] !== '')
        attributes[column] = record[i] ?? '';
    });
    await client.identify(record[0] ?? '', attributes);
    rows++;
    if (performance.now() > deadline) break;
  }
  parser.destroy();
  agent.destroy();
  done({ rows });
} else {
  throw new Error(`unknown mode ${mode}`);
}
