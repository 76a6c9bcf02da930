/**
 * `cioc track send-batch` over the 500 KB limit of one request: split by the batch builder into
 * several `/v2/batch` requests against the real emulator, one combined report (JSON in a pipe, a
 * line per request on a terminal); an item over 32 KB is still an error naming it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cioc } from './support/cli.js';
import { emulatorEnv, useEmulator } from './support/emulator.js';
import { hasTmux, terminal } from './support/tmux.js';

const { emulator, url } = await useEmulator();
const env = emulatorEnv(url);
const dir = mkdtempSync(join(tmpdir(), 'cioc-batch-'));

/** `count` identify items of about 600 bytes each (1,200 of them make about 760 KB). */
function items(count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'person',
    action: 'identify',
    identifiers: { id: `p${String(i)}` },
    attributes: { note: 'x'.repeat(520), n: i },
  }));
}

function inputFile(batch: unknown[]): string {
  const file = join(dir, `batch-${String(Math.random()).slice(2)}.json`);
  const text = JSON.stringify({ batch });
  expect(Buffer.byteLength(text)).toBeGreaterThan(500_000);
  writeFileSync(file, text);
  return `@${file}`;
}

const batchRequests = () =>
  emulator.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2/batch');

interface Report {
  status: number;
  errors: { batch_index: number; message: string }[];
  items: number;
  accepted: number;
  failed: unknown[];
  maybe_delivered: unknown[];
  requests: {
    request: number;
    items: number;
    first_index: number;
    last_index: number;
    status?: number;
    error?: { type: string };
  }[];
}

describe('cioc track send-batch over 500 KB, in a pipe', () => {
  it('is split into several /v2/batch requests, every item stored, one JSON report', async () => {
    const result = await cioc(['track', 'send-batch', '--input', inputFile(items(1200))], { env });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ status: 200, errors: [], items: 1200, accepted: 1200 });
    expect(report.failed).toEqual([]);
    expect(report.maybe_delivered).toEqual([]);
    expect(report.requests.length).toBeGreaterThanOrEqual(2);
    expect(report.requests.map((r) => r.request).sort()).toEqual(report.requests.map((_, i) => i + 1));
    expect(report.requests.reduce((sum, r) => sum + r.items, 0)).toBe(1200);
    for (const r of report.requests) expect(r.status).toBe(200);
    // Each request under the limit, in order, and all of them reached the emulator.
    expect(batchRequests()).toHaveLength(report.requests.length);
    expect(emulator.state.people).toHaveLength(1200);
    expect(emulator.state.people.map((p) => p.id).sort()).toEqual(
      Array.from({ length: 1200 }, (_, i) => `p${String(i)}`).sort(),
    );
  });

  it('refuses an item over 32 KB by its index and sends nothing', async () => {
    const batch = items(1200);
    batch[7] = {
      type: 'person',
      action: 'identify',
      identifiers: { id: 'big' },
      attributes: Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [`a${String(i)}`, 'y'.repeat(900)]),
      ),
    };
    const result = await cioc(['track', 'send-batch', '--input', inputFile(batch)], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const error = (JSON.parse(result.stderr) as { error: { issues: { path: string; message: string }[] } })
      .error;
    expect(error.issues).toEqual([
      {
        path: '/batch/7',
        message: expect.stringMatching(/^is \d+ bytes; an item must be at most 32000 bytes/),
      },
    ]);
    expect(batchRequests()).toEqual([]);
    expect(emulator.state.people).toEqual([]);
  });

  it('reports a request refused as a whole, with its items and the exit code of its error', async () => {
    emulator.faults.add({
      method: 'POST',
      path: '/api/v2/batch',
      status: 400,
      body: { meta: { error: 'nope' } },
    });
    const result = await cioc(['track', 'send-batch', '--input', inputFile(items(1200)), '--verbose'], {
      env,
    });
    expect(result.code).toBe(4);
    const report = JSON.parse(result.stdout) as Report;
    const refused = report.requests.filter((r) => r.error !== undefined);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ status: 400, error: { type: 'bad_request' } });
    expect(report.status).toBe(207);
    expect(report.errors).toHaveLength(refused[0]?.items ?? -1);
    expect(report.accepted).toBe(1200 - report.errors.length);
    expect(emulator.state.people).toHaveLength(report.accepted);
    // stderr: one JSON log line per request (--verbose), then the error with what to do.
    const lines = result.stderr.trim().split('\n');
    const logs = lines.filter((l) => l.includes('"batch_request"'));
    expect(logs).toHaveLength(report.requests.length);
    const error = (JSON.parse(lines.at(-1) ?? '') as { error: { type: string; hint: string } }).error;
    expect(error.type).toBe('bad_request');
    expect(error.hint).toContain('items were not accepted');
  });

  it('--dry-run says it would split, and sends nothing', async () => {
    const result = await cioc(['track', 'send-batch', '--input', inputFile(items(1200)), '--dry-run'], {
      env,
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      dry_run: true,
      split: expect.stringContaining('1200 items'),
    });
    expect(batchRequests()).toEqual([]);
  });
});

describe.runIf(hasTmux)('cioc track send-batch over 500 KB, on a terminal', () => {
  it('says each request and a summary', async () => {
    const t = terminal(['track', 'send-batch', '--input', inputFile(items(1200))], env);
    try {
      const screen = await t.waitFor('[exit 0]');
      expect(screen).toContain(
        '› 1,200 items are over the 500,000-byte limit of one request: sending them in several',
      );
      expect(screen).toMatch(/› Request 1: items 0–[\d,]+ \([\d,]+\) → 200, all accepted/);
      expect(screen).toMatch(/› Request 2: items [\d,]+–[\d,]+ \([\d,]+\) → 200, all accepted/);
      expect(screen).toMatch(/› Sent 1,200 items in \d requests: 1,200 accepted\./);
    } finally {
      t.close();
    }
    expect(emulator.state.people).toHaveLength(1200);
  });
});
