/**
 * `importFile` against the real emulator: people, events and objects from CSV and NDJSON (plain,
 * gzip, a stream), mapping and types, rows refused by us or by Customer.io (207) in the rejects
 * file, faults during an import (nothing lost, nothing doubled), a stop and a resume, repeats.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { ValidationError } from '../src/errors.js';
import { importFile, type ImportOptions, type ImportProgress } from '../src/index.js';
import { readCheckpoint } from '../src/import/checkpoint.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();

let keys = 0;
/** A client with its own key (its own rate limiter), fast retries. */
function client() {
  const apiKey = `import-key-${String(++keys)}`;
  emulator.state.workspace.trackApiKey = apiKey;
  return createClient({
    connector: 'track',
    region: 'emulator',
    emulatorUrl: url,
    credentials: { siteId: CREDENTIALS.track.siteId, apiKey },
    timeoutMs: 2000,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
  });
}

function workdir(): string {
  return mkdtempSync(join(tmpdir(), 'cioc-import-'));
}
function write(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const rejects = (path: string | undefined): Record<string, unknown>[] =>
  readFileSync(path ?? '', 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function run(options: Omit<ImportOptions, 'checkpointDir'> & { checkpointDir: string }) {
  const c = client();
  try {
    return await importFile(c, options);
  } finally {
    await c.close();
  }
}

describe('importFile: people, events, objects', () => {
  it('imports people from CSV: identifier, attributes, empty cells left out, bad rows rejected with their number', async () => {
    const dir = workdir();
    const file = write(
      dir,
      'people.csv',
      '\uFEFFid,email,plan,"note, quoted"\n1,ada@example.com,pro,"says ""hi"""\n2,,free,\n,nobody@example.com,x,y\n4,d@example.com,pro\n5,e@example.com,team,ok\n',
    );
    const summary = await run({ kind: 'people', file, checkpointDir: dir });
    expect(summary).toMatchObject({
      status: 'completed',
      format: 'csv',
      rowsRead: 5,
      sent: 3,
      rejected: 2,
      unacknowledged: 0,
      acknowledgedThrough: 5,
      requests: 1,
    });
    const people: Record<string, Record<string, unknown>> = Object.fromEntries(
      emulator.state.people.map((p) => [p.id ?? '', p.attributes]),
    );
    expect(people['1']).toMatchObject({ email: 'ada@example.com', plan: 'pro', 'note, quoted': 'says "hi"' });
    // Empty cells are left out: person 2 has no email and no note.
    expect(people['2']).toMatchObject({ plan: 'free' });
    expect(people['2']).not.toHaveProperty('email');
    expect(people['2']).not.toHaveProperty('note, quoted');
    expect(Object.keys(people).sort()).toEqual(['1', '2', '5']);
    expect(rejects(summary.rejectsFile)).toEqual([
      {
        row: 3,
        reason: 'no id (the identifier column is empty)',
        field: 'id',
        record: { id: '', email: 'nobody@example.com', plan: 'x', 'note, quoted': 'y' },
      },
      { row: 4, reason: 'the row has 3 fields; the header has 4', raw: ['4', 'd@example.com', 'pro'] },
    ]);
  });

  it('imports events from NDJSON with deterministic ids and the row times; a second run sends nothing, --restart nothing new', async () => {
    const dir = workdir();
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({
        email: `p${String(i % 7)}@example.com`,
        event: 'purchase',
        created: i % 2 === 0 ? '2024-03-01T10:00:00Z' : 1_700_000_000 + i,
        price: i,
        tags: ['a'],
      }),
    );
    lines.splice(10, 0, '', '{not json', '[1]');
    const file = write(dir, 'events.jsonl', `${lines.join('\n')}\n`);
    const options = {
      kind: 'events' as const,
      file,
      checkpointDir: dir,
      identifierColumn: 'email',
      nameColumn: 'event',
      timestampColumn: 'created',
      maxBatchBytes: 8_000,
    };
    const first = await run(options);
    expect(first).toMatchObject({ status: 'completed', rowsRead: 302, sent: 300, rejected: 2 });
    expect(first.requests).toBeGreaterThan(3);
    expect(
      rejects(first.rejectsFile).map((r) => [r['row'], r['raw'], String(r['reason']).slice(0, 14)]),
    ).toEqual([
      [11, '{not json', 'not valid JSON'],
      [12, '[1]', 'not a JSON obj'],
    ]);
    // Rejected rows hold personal data: readable by the owner only, like the checkpoint.
    expect(statSync(first.rejectsFile ?? '').mode & 0o777).toBe(0o600);
    const events = emulator.state.events;
    expect(events).toHaveLength(300);
    expect(events[0]).toMatchObject({
      name: 'purchase',
      customer_id: 'p0@example.com',
      timestamp: 1_709_287_200,
      data: { price: 0, tags: ['a'] },
    });
    expect(events[1]?.timestamp).toBe(1_700_000_001);
    const ids = events.map((e) => e.id ?? '');
    expect(new Set(ids).size).toBe(300);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // Same file, same options: already imported, nothing sent.
    const again = await run(options);
    expect(again.status).toBe('already_imported');
    expect(again.warnings[0]).toContain('--restart');
    // --restart sends everything again with the same ids: Customer.io keeps one of each.
    const restarted = await run({ ...options, restart: true });
    expect(restarted).toMatchObject({ status: 'completed', sent: 300, rejected: 2 });
    expect(emulator.state.events.map((e) => e.id)).toEqual(ids);
    // The rejects file was started over, not appended to.
    expect(rejects(restarted.rejectsFile)).toHaveLength(2);
    // A copy of the file (another name and time, another machine's checkpoints) is the same
    // import: same ids.
    const elsewhere = workdir();
    const copy = write(elsewhere, 'copy.ndjson', readFileSync(file));
    emulator.state.reset();
    await run({ ...options, file: copy, checkpointDir: elsewhere });
    expect(emulator.state.events.map((e) => e.id)).toEqual(ids);
  });

  it('reads gzip (recognised by its bytes) and standard input, whose format it sniffs', async () => {
    const dir = workdir();
    const csv = 'email,name\na@example.com,A\nb@example.com,B\n';
    const gz = write(dir, 'people.csv.gz', gzipSync(csv));
    const zipped = await run({ kind: 'people', file: gz, checkpointDir: dir });
    expect(zipped).toMatchObject({ status: 'completed', gzip: true, sent: 2 });
    expect(emulator.state.people.map((p) => p.email).sort()).toEqual(['a@example.com', 'b@example.com']);
    emulator.state.reset();
    const stdin = Readable.from([gzipSync('{"id":"9","name":"signup"}\n{"id":"9","name":"login"}\n')]);
    const piped = await run({ kind: 'events', file: '-', stdin, checkpointDir: dir });
    expect(piped).toMatchObject({ status: 'completed', format: 'ndjson', gzip: true, sent: 2 });
    expect(piped.checkpoint).toBeUndefined(); // standard input cannot resume
    expect(emulator.state.events.map((e) => e.name)).toEqual(['signup', 'login']);
    // Its ids are per run: a repeat stores the events again, and the summary warns of it.
    expect(piped.warnings).toEqual([expect.stringContaining('Give a file path instead') as unknown]);
    expect(zipped.warnings).toEqual([]);
  });

  it('a .csv.gz and the same .csv are one import: the plain file after the gzip one sends nothing', async () => {
    const dir = workdir();
    const csv = `id,name,n\n${Array.from({ length: 1000 }, (_, i) => `p${String(i % 50)},e,${String(i)}`).join('\n')}\n`;
    const gz = await run({ kind: 'events', file: write(dir, 'e.csv.gz', gzipSync(csv)), checkpointDir: dir });
    expect(gz).toMatchObject({ status: 'completed', gzip: true, sent: 1000 });
    // Nothing rejected: no rejects file, not even an empty one.
    expect(gz.rejectsFile).toBeUndefined();
    expect(readdirSync(dir).filter((n) => n.includes('rejects'))).toEqual([]);
    const plain = await run({ kind: 'events', file: write(dir, 'e.csv', csv), checkpointDir: dir });
    expect(plain.status).toBe('already_imported');
    const again = await run({
      kind: 'events',
      file: write(dir, 'e.csv', csv),
      checkpointDir: dir,
      restart: true,
    });
    expect(again).toMatchObject({ status: 'completed', sent: 1000 });
    // The same ids: Customer.io (the emulator) keeps one of each.
    expect(emulator.state.events).toHaveLength(1000);
  });

  it('imports objects with --object-type-id, and refuses to without one', async () => {
    const dir = workdir();
    const file = write(dir, 'companies.tsv', 'company_id\tname\tseats\nacme\tAcme\t12\nglobex\tGlobex\t\n');
    const summary = await run({
      kind: 'objects',
      file,
      checkpointDir: dir,
      objectTypeId: '1',
      identifierColumn: 'company_id',
      map: { seats: { type: 'number' } },
    });
    expect(summary).toMatchObject({ status: 'completed', sent: 2 });
    const acme = [...emulator.state.objects.objects.values()].find((o) => o.object_id === 'acme');
    expect(acme?.attributes).toMatchObject({ name: 'Acme', seats: '12' });
    await expect(
      run({ kind: 'objects', file, checkpointDir: dir, identifierColumn: 'company_id' }),
    ).rejects.toThrow(/--object-type-id/);
  });
});

describe('importFile: mapping and types', () => {
  it('renames, drops and types columns; values that are not their type, or over the limits, are rejected with the reason', async () => {
    const dir = workdir();
    const long = 'x'.repeat(1001);
    const file = write(
      dir,
      'people.csv',
      [
        'Customer ID,Signed Up,Age,VIP,Prefs,Internal,Plan',
        '1,2024-01-02,42,yes,"{""sms"":true}",secret,',
        '2,2024-01-02T03:04:05+02:00,forty,no,{},secret,pro',
        '3,not a date,1,true,{},secret,pro',
        `4,,7,maybe,{},secret,${long}`,
        '5,1700000000,7,0,{bad,secret,pro',
        `${'i'.repeat(151)},,1,1,{},s,p`,
      ].join('\n'),
    );
    const summary = await run({
      kind: 'people',
      file,
      checkpointDir: dir,
      identifierColumn: 'Customer ID',
      emptyAsNull: true,
      map: {
        'Signed Up': { to: 'created_at', type: 'timestamp' },
        Age: { type: 'number' },
        VIP: { to: 'vip', type: 'boolean' },
        Prefs: { to: 'prefs', type: 'json' },
        Internal: false,
        Plan: 'plan',
      },
    });
    expect(summary).toMatchObject({ sent: 1, rejected: 5 });
    const person = emulator.state.people.find((p) => p.id === '1');
    // The emulator stores attribute values as Customer.io does: strings. A null clears (not set).
    expect(person?.attributes).toMatchObject({
      created_at: '1704153600',
      Age: '42',
      vip: 'true',
      prefs: '{"sms":true}',
    });
    expect(person?.attributes).not.toHaveProperty('Internal');
    expect(person?.attributes).not.toHaveProperty('plan');
    expect(rejects(summary.rejectsFile).map((r) => [r['row'], r['reason'], r['field']])).toEqual([
      [2, 'Age: "forty" is not a number', 'Age'],
      [3, 'Signed Up: "not a date" is not a unix timestamp or an ISO 8601 date', 'Signed Up'],
      [4, 'VIP: "maybe" is not a boolean (true/false, yes/no, 1/0)', 'VIP'],
      [5, 'Prefs: "{bad" is not valid JSON', 'Prefs'],
      [6, 'Customer ID is longer than 150 bytes', 'Customer ID'],
    ]);
  });

  it('names a missing column (flag or --map) with the columns the file has and the closest one', async () => {
    const dir = workdir();
    const file = write(dir, 'people.csv', 'id,email,plan\n1,a@example.com,pro\n');
    const error = await run({ kind: 'people', file, checkpointDir: dir, map: { Plan: 'tier' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(
      '--map names the column "Plan", which the file does not have (columns: id, email, plan)',
    );
    expect((error as ValidationError).hint).toBe('Did you mean "plan"?');
    await expect(run({ kind: 'events', file, checkpointDir: dir })).rejects.toThrow(
      'The file has no "name" or "event" column; name the column with --name-column',
    );
    expect(emulator.state.people).toEqual([]);
  });

  it('a CSV read error names the last good row and the file line, with the hint that fits; --relax-quotes reads stray quotes', async () => {
    const dir = workdir();
    const stray = write(dir, 'stray.csv', 'id,note\n1,a\n2,b\n3,c\n4,x "y" z\n5,e\n');
    const error = await run({ kind: 'people', file: stray, checkpointDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^The CSV cannot be read after row 3 \(at line 5 of the file\): Invalid Opening Quote/,
    );
    expect(message).toContain('--relax-quotes');
    expect(message).not.toContain('A quote that is not closed');
    const relaxed = await run({ kind: 'people', file: stray, checkpointDir: dir, relaxQuotes: true });
    expect(relaxed).toMatchObject({ status: 'completed', sent: 5, rejected: 0 });
    expect(emulator.state.people.find((p) => p.id === '4')?.attributes).toMatchObject({ note: 'x "y" z' });

    const open = write(dir, 'open.csv', 'id,note\n1,a\n2,"b\n3,c\n');
    const unclosed = await run({ kind: 'people', file: open, checkpointDir: dir }).catch((e: unknown) => e);
    expect((unclosed as Error).message).toMatch(/^The CSV cannot be read after row 1 .*Quote Not Closed/);
    expect((unclosed as Error).message).toContain(
      'A quote that is not closed makes the rest of the file one field',
    );
  });

  it('a dry run validates every row and sends nothing', async () => {
    const dir = workdir();
    const file = write(dir, 'e.ndjson', '{"id":"1","name":"a"}\n{"id":"2"}\n{"id":"3","name":"c"}\n');
    const summary = await importFile(undefined, { kind: 'events', file, dryRun: true, checkpointDir: dir });
    expect(summary).toMatchObject({ status: 'dry_run', rowsRead: 3, sent: 2, rejected: 1, requests: 1 });
    expect(summary.checkpoint).toBeUndefined();
    expect(emulator.requests).toEqual([]);
  });
});

describe('importFile: delivery', () => {
  const events = (n: number, offset = 0): string =>
    Array.from({ length: n }, (_, i) =>
      JSON.stringify({ id: `p${String((i + offset) % 97)}`, name: 'e', n: i + offset }),
    ).join('\n');

  it('maps a 207 back to its rows: the rejected rows are in the rejects file, the others stored', async () => {
    const dir = workdir();
    const file = write(dir, 'e.ndjson', events(10));
    emulator.faults.add({
      method: 'POST',
      path: '/api/v2/batch',
      status: 207,
      body: {
        errors: [{ batch_index: 3, reason: 'invalid', field: 'name', message: 'refused by Customer.io' }],
      },
      times: 1,
    });
    const summary = await run({ kind: 'events', file, checkpointDir: dir });
    expect(summary).toMatchObject({ status: 'completed', sent: 9, rejected: 1, acknowledgedThrough: 10 });
    expect(rejects(summary.rejectsFile)).toEqual([
      {
        row: 4,
        reason: 'refused by Customer.io',
        field: 'name',
        // The row as read, and the item as it was sent, with its id.
        record: { id: 'p3', name: 'e', n: 3 },
        item: {
          type: 'person',
          action: 'event',
          identifiers: { id: 'p3' },
          name: 'e',
          attributes: { n: 3 },
          id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/) as unknown,
        },
      },
    ]);
  });

  it('a whole request refused (413) writes nothing off: incomplete, named, and the next run sends its rows once', async () => {
    const dir = workdir();
    const file = write(dir, 'e.ndjson', events(30));
    emulator.faults.add({ method: 'POST', path: '/api/v2/batch', status: 413, times: 1 });
    const first = await run({
      kind: 'events',
      file,
      checkpointDir: dir,
      maxBatchBytes: 1_000,
      concurrency: 1,
    });
    expect(first).toMatchObject({ status: 'incomplete', rejected: 0, acknowledgedThrough: 0 });
    expect(first.unacknowledged).toBeGreaterThan(0);
    expect(first.reason).toMatch(/row 1 and others was refused as a whole \(HTTP 413/);
    expect(first.rejectsFile).toBeUndefined();
    const second = await run({ kind: 'events', file, checkpointDir: dir });
    expect(second).toMatchObject({ status: 'completed', sent: 30, rejected: 0, acknowledgedThrough: 30 });
    expect(emulator.state.events).toHaveLength(30);
    expect(new Set(emulator.state.events.map((e) => (e.data as { n: number }).n)).size).toBe(30);
  });

  it('every reject line carries the row, the original record and the reason: an item over 32 KB too', async () => {
    const dir = workdir();
    const big = 'x'.repeat(40_000);
    const file = write(dir, 'e.csv', `id,name,note\np1,e,short\np2,e,${big}\n`);
    const summary = await run({ kind: 'events', file, checkpointDir: dir });
    expect(summary).toMatchObject({ status: 'completed', sent: 1, rejected: 1 });
    const [line] = rejects(summary.rejectsFile);
    expect(line).toMatchObject({ row: 2, record: { id: 'p2', name: 'e', note: big } });
    expect(line?.['reason']).toMatch(/bytes; at most 32000 bytes/);
  });

  it('through 5xx, 429 and dropped connections (before and after processing): every row stored once', async () => {
    const dir = workdir();
    const file = write(dir, 'e.ndjson', events(3000));
    for (const fault of [
      { status: 503, probability: 0.15 },
      { status: 429, headers: { 'retry-after': '0' }, probability: 0.1 },
      { drop: 'after_processing' as const, probability: 0.05 },
      { drop: true, probability: 0.05 },
    ])
      emulator.faults.add({ method: 'POST', path: '/api/v2/batch', ...fault });
    const summary = await run({
      kind: 'events',
      file,
      checkpointDir: dir,
      maxBatchBytes: 6_000,
      concurrency: 4,
    });
    expect(summary).toMatchObject({ status: 'completed', sent: 3000, rejected: 0, unacknowledged: 0 });
    expect(summary.retries).toBeGreaterThan(0);
    expect(summary.rateLimited).toBeGreaterThan(0);
    expect(emulator.state.events).toHaveLength(3000);
    expect(new Set(emulator.state.events.map((e) => (e.data as { n: number }).n)).size).toBe(3000);
  });

  it('rows that keep failing are sent again in later rounds, then left for the next run: never written off', async () => {
    const dir = workdir();
    const file = write(dir, 'e.ndjson', events(50));
    emulator.faults.add({ method: 'POST', path: '/api/v2/batch', status: 503, times: 1_000 });
    const c = client();
    const summary = await importFile(c, {
      kind: 'events',
      file,
      checkpointDir: dir,
      maxRetries: 0,
      rounds: 1,
    });
    await c.close();
    expect(summary).toMatchObject({
      status: 'incomplete',
      sent: 0,
      acknowledgedThrough: 0,
      unacknowledged: 50,
    });
    expect(summary.reason).toContain('could not be delivered after 2 rounds');
    emulator.faults.clear();
    const resumed = await run({ kind: 'events', file, checkpointDir: dir });
    expect(resumed).toMatchObject({ status: 'completed', sent: 50 });
    expect(emulator.state.events).toHaveLength(50);
  });

  it('stops after the requests in flight, saves the checkpoint, and resumes: counts exact, nothing doubled', async () => {
    const dir = workdir();
    const file = write(dir, 'e.ndjson', `${events(20_000)}\n{"broken\n${events(20_000, 20_000)}`);
    emulator.faults.add({ method: 'POST', path: '/api/v2/batch', delay_ms: 30, times: 1_000_000 });
    const stop = new AbortController();
    const seen: ImportProgress[] = [];
    const c = client();
    const first = await importFile(c, {
      kind: 'events',
      file,
      checkpointDir: dir,
      maxBatchBytes: 20_000,
      stop: stop.signal,
      progressIntervalMs: 20,
      checkpointIntervalMs: 0,
      onProgress: (p) => {
        seen.push(p);
        if (p.sent > 5_000) stop.abort();
      },
    });
    await c.close();
    expect(first.status).toBe('stopped');
    expect(first.acknowledgedThrough).toBeGreaterThan(5_000);
    expect(first.acknowledgedThrough).toBeLessThan(40_001);
    expect(first.unacknowledged).toBe(first.rowsRead - first.acknowledgedThrough);
    const checkpoint = readCheckpoint(first.checkpoint ?? '');
    expect(checkpoint).toMatchObject({ acknowledgedThrough: first.acknowledgedThrough, completed: false });
    expect(seen.some((p) => p.phase === 'importing' && p.totalBytes !== undefined && p.bytesRead > 0)).toBe(
      true,
    );
    const stored = emulator.state.events.length;
    expect(stored).toBeGreaterThanOrEqual(first.acknowledgedThrough);
    emulator.faults.clear();
    const second = await run({ kind: 'events', file, checkpointDir: dir });
    expect(second).toMatchObject({
      status: 'completed',
      resumedAfter: first.acknowledgedThrough,
      sent: 40_000,
      rejected: 1,
      acknowledgedThrough: 40_001,
    });
    expect(emulator.state.events).toHaveLength(40_000);
    expect(rejects(second.rejectsFile).map((r) => r['row'])).toEqual([20_001]);
  });
});
