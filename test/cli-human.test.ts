/**
 * Human mode: on a terminal (tmux), errors read as text and a command never waits in silence
 * (retries, Retry-After waits, pages of `--all`). Machine mode (a pipe, or `--json`) is unchanged.
 */
import { describe, expect, it } from 'vitest';
import { cioc } from './support/cli.js';
import { emulatorEnv, useEmulator } from './support/emulator.js';
import { hasTmux, terminal, type Terminal } from './support/tmux.js';

const { emulator, url } = await useEmulator();

async function onTerminal(args: string[], check: (t: Terminal) => Promise<void>): Promise<void> {
  const t = terminal(args, emulatorEnv(url));
  try {
    await check(t);
  } finally {
    t.close();
  }
}

function fillSegment(count: number): void {
  const ids = Array.from({ length: count }, (_, i) => `p${String(i)}`);
  for (const id of ids) emulator.state.identify(id, { email: `${id}@example.com` });
  emulator.state.changeSegment(1, { ids }, 'id', true);
}

describe.runIf(hasTmux)('on a terminal', () => {
  it('prints errors as text: type, each issue on its own line, "Did you mean" on its own line', async () => {
    await onTerminal(['app', 'list-segmets'], async (t) => {
      const screen = await t.waitFor('[exit 2]');
      expect(screen).toContain("Error: unknown command 'list-segmets' (usage)\nDid you mean list-segments?");
      expect(screen).not.toContain('{"error"');
    });
    await onTerminal(['track', 'create-or-update-customer', '--identifier', ''], async (t) => {
      const screen = await t.waitFor('[exit 2]');
      expect(screen).toContain(
        'Error: Invalid input for track.create_or_update_customer (validation)\n  • /identifier',
      );
      expect(screen).toContain('(--identifier)');
    });
    await onTerminal(['app', 'get-segment', '--segment-id', '99'], async (t) => {
      const screen = await t.waitFor('[exit 4]');
      expect(screen).toMatch(/^Error: GET .*\/v1\/segments\/99 failed with 404: segment 99 not found/m);
      expect(screen).toContain('(not_found, HTTP 404)');
    });
  });

  it('--json keeps errors machine-readable on a terminal', async () => {
    await onTerminal(['app', 'get-segment', '--segment-id', '99', '--json'], async (t) => {
      const screen = await t.waitFor('[exit 4]');
      expect(screen).toContain('{"error":{"type":"not_found"');
    });
  });

  it('shows a countdown while it waits out a 429 Retry-After, then the result', async () => {
    emulator.faults.add({ path: '/v1/segments', status: 429, headers: { 'retry-after': '2' } });
    await onTerminal(['app', 'list-segments'], async (t) => {
      const waiting = await t.waitFor('s left');
      expect(waiting).toMatch(
        /429 from App, waiting 2\.0 s as Retry-After asks \(attempt 2 of 4\)… [0-9.]+ s left/,
      );
      const done = await t.waitFor('[exit 0]');
      // The countdown is replaced by a finished line; the result follows it.
      expect(done).toContain('› 429 from App, waiting 2.0 s as Retry-After asks (attempt 2 of 4)\n');
      expect(done).not.toContain('s left');
      expect(done).toContain('"segments"');
    });
  });

  it('shows a spinner while a slow answer is awaited, and clears it when the answer comes', async () => {
    emulator.faults.add({ path: '/v1/segments', delay_ms: 3000 });
    await onTerminal(['app', 'list-segments'], async (t) => {
      const waiting = await t.waitFor('Waiting for App…', 2500);
      expect(waiting).toMatch(/Waiting for App… [12] s/);
      await t.waitFor('Waiting for App… 2 s');
      const done = await t.waitFor('[exit 0]');
      expect(done).not.toContain('Waiting for App');
      expect(done).toContain('"segments"');
    });
  });

  it('says each retry of a timeout and that it gave up, instead of failing silently', async () => {
    emulator.faults.add({ path: '/v1/segments', delay_ms: 1500, times: 3 });
    await onTerminal(['app', 'list-segments', '--timeout', '300', '--max-retries', '2'], async (t) => {
      const screen = await t.waitFor('[exit 5]');
      expect(screen).toContain('No complete response from App within 300 ms, waiting');
      expect(screen).toContain('(attempt 2 of 3)');
      expect(screen).toContain('(attempt 3 of 3)');
      expect(screen).toContain('Gave up after 3 attempts (no retries left; --max-retries sets how many).');
      expect(screen).toContain('(timeout)');
    });
  });

  it('--all tells each page, and says when --max-pages left pages unread', async () => {
    fillSegment(250);
    await onTerminal(
      [
        'app',
        'list-customers-in-segment',
        '--segment-id',
        '1',
        '--limit',
        '100',
        '--all',
        '--max-pages',
        '2',
      ],
      async (t) => {
        const screen = await t.waitFor('[exit 0]');
        expect(screen).toContain('› Page 1: 100 items (100 so far)');
        expect(screen).toContain('› Page 2: 100 items (200 so far)');
        expect(screen).toContain('Warning: stopped after 2 pages (--max-pages 2); more items remain.');
      },
    );
  });
});

describe('in a pipe (machine mode)', () => {
  it('keeps JSON errors and prints no progress lines; --verbose adds retry decisions as JSON', async () => {
    emulator.faults.add({ path: '/v1/segments', status: 503, times: 1 });
    const quiet = await cioc(['app', 'list-segments'], { env: emulatorEnv(url) });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    emulator.faults.add({ path: '/v1/segments', status: 503, times: 1 });
    const verbose = await cioc(['app', 'list-segments', '--verbose'], { env: emulatorEnv(url) });
    expect(verbose.code).toBe(0);
    const logs = verbose.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { log: Record<string, unknown> });
    expect(logs.map((l) => l.log['type'] ?? l.log['event'])).toEqual(['response', 'retry', 'response']);
    expect(logs[1]?.log).toMatchObject({ type: 'retry', cause: '503', attempt: 1, maxAttempts: 4 });
    const failed = await cioc(['app', 'get-segment', '--segment-id', '99'], { env: emulatorEnv(url) });
    expect(JSON.parse(failed.stderr)).toMatchObject({ error: { type: 'not_found', status: 404 } });
  });

  it('waits for a slow answer without a word on stderr', async () => {
    emulator.faults.add({ path: '/v1/segments', delay_ms: 1500 });
    const slow = await cioc(['app', 'list-segments'], { env: emulatorEnv(url) });
    expect(slow.code).toBe(0);
    expect(slow.stderr).toBe('');
  });

  it('--all with --output table lays out every item; a --max-pages cut is a warning', async () => {
    fillSegment(150);
    const table = await cioc(
      [
        'app',
        'list-customers-in-segment',
        '--segment-id',
        '1',
        '--limit',
        '100',
        '--all',
        '--output',
        'table',
      ],
      { env: emulatorEnv(url) },
    );
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+EMAIL\s+CIO_ID$/);
    expect(lines).toHaveLength(151);
    const capped = await cioc(
      [
        'app',
        'list-customers-in-segment',
        '--segment-id',
        '1',
        '--limit',
        '100',
        '--all',
        '--max-pages',
        '1',
      ],
      { env: emulatorEnv(url) },
    );
    expect(capped.stdout.trim().split('\n')).toHaveLength(100);
    expect(capped.stderr).toBe('warning: stopped after 1 pages (--max-pages 1); more items remain\n');
  });
});
