/**
 * `cioc import` as a user runs it: the built binary against the in-process emulator. SIGKILL twice
 * and resumed (counts exact, nothing doubled), Ctrl-C (stops after the requests in flight), standard
 * input, the JSON summary in a pipe, clear errors, and the progress bar on a real terminal (tmux).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cioc } from './support/cli.js';
import { emulatorEnv, useEmulator } from './support/emulator.js';
import { hasTmux, terminal } from './support/tmux.js';

const { emulator, url } = await useEmulator();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function setup(rows: number): { home: string; file: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'cioc-import-cli-'));
  const file = join(dir, 'events.ndjson');
  writeFileSync(
    file,
    Array.from({ length: rows }, (_, i) =>
      JSON.stringify({ id: `p${String(i % 500)}`, name: 'order', n: i }),
    ).join('\n'),
  );
  const home = join(dir, 'home');
  return { home, file, env: { ...emulatorEnv(url), CIOC_HOME: home } };
}

/** The acknowledged row of the one checkpoint under `home`, 0 when there is none yet. */
function acknowledged(home: string): number {
  try {
    const name = readdirSync(join(home, 'imports')).find((n) => /^[0-9a-f]{32}\.json$/.test(n));
    if (name === undefined) return 0;
    return (JSON.parse(readFileSync(join(home, 'imports', name), 'utf8')) as { acknowledgedThrough: number })
      .acknowledgedThrough;
  } catch {
    return 0;
  }
}

/** Starts `cioc import …`; resolves when it exits. */
function start(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve) =>
      child.on('close', (code, signal) => {
        resolve({ code, signal, stdout, stderr });
      }),
  );
  return { child, done };
}

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await sleep(20);
  }
}

describe('cioc import', () => {
  it('killed with SIGKILL twice and resumed: exactly every event once, counts exact', async () => {
    const rows = 20_000;
    const { home, file, env } = setup(rows);
    emulator.faults.add({ method: 'POST', path: '/api/v2/batch', delay_ms: 40, times: 1_000_000 });
    const args = ['import', 'events', file, '--max-batch-bytes', '8000', '--json'];
    const kills: number[] = [];
    for (let k = 0; k < 2; k++) {
      const before = acknowledged(home);
      const run = start(args, env);
      // Killed at a random moment once it has moved its checkpoint on.
      await waitFor(() => acknowledged(home) > before);
      await sleep(Math.random() * 300);
      run.child.kill('SIGKILL');
      const result = await run.done;
      expect(result.signal).toBe('SIGKILL');
      kills.push(acknowledged(home));
    }
    expect(kills[0]).toBeGreaterThan(0);
    expect(kills[1]).toBeGreaterThan(kills[0] ?? 0);
    expect(kills[1]).toBeLessThan(rows);
    const last = await start(args, env).done;
    expect(last.code).toBe(0);
    const summary = JSON.parse(last.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      status: 'completed',
      resumedAfter: kills[1],
      sent: rows,
      rejected: 0,
      acknowledgedThrough: rows,
    });
    expect(emulator.state.events).toHaveLength(rows);
    expect(new Set(emulator.state.events.map((e) => (e.data as { n: number }).n)).size).toBe(rows);
  });

  it('SIGINT (Ctrl-C) stops after the requests in flight with a summary, exit 130; the next run finishes', async () => {
    const rows = 20_000;
    const { home, file, env } = setup(rows);
    emulator.faults.add({ method: 'POST', path: '/api/v2/batch', delay_ms: 40, times: 1_000_000 });
    const args = ['import', 'events', file, '--max-batch-bytes', '8000'];
    const run = start(args, env);
    await waitFor(() => acknowledged(home) > 0);
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('stopping after the requests in flight');
    const summary = JSON.parse(stopped.stdout) as {
      status: string;
      acknowledgedThrough: number;
      sent: number;
    };
    expect(summary.status).toBe('stopped');
    // Everything in flight finished: the checkpoint holds what the summary says.
    expect(acknowledged(home)).toBe(summary.acknowledgedThrough);
    expect(summary.sent).toBe(summary.acknowledgedThrough);
    emulator.faults.clear();
    const finished = await start(args, env).done;
    expect(finished.code).toBe(0);
    expect(JSON.parse(finished.stdout)).toMatchObject({ status: 'completed', sent: rows });
    expect(emulator.state.events).toHaveLength(rows);
  });

  it('reads standard input, prints a JSON summary in a pipe, and names a bad --map column without a stack trace', async () => {
    const { home, env } = setup(0);
    const piped = await cioc(['import', 'people', '-', '--identifier-column', 'email'], {
      env,
      stdin: 'email,plan\nada@example.com,pro\nbob@example.com,free\n',
    });
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ status: 'completed', format: 'csv', sent: 2 });
    expect(emulator.state.people.map((p) => p.email).sort()).toEqual(['ada@example.com', 'bob@example.com']);

    const events = await cioc(['import', 'events', '-'], { env, stdin: '{"id":"1","name":"signup"}\n' });
    expect(events.code).toBe(0);
    expect(events.stderr).toContain('import: warning: Events from standard input get new ids on every run');
    expect((JSON.parse(events.stdout) as { warnings: string[] }).warnings).toEqual([
      expect.stringContaining('Give a file path instead') as unknown,
    ]);

    const dir = mkdtempSync(join(tmpdir(), 'cioc-map-'));
    writeFileSync(join(dir, 'map.json'), JSON.stringify({ Plna: 'tier' }));
    writeFileSync(join(dir, 'people.csv'), 'id,Plan\n1,pro\n');
    const bad = await cioc(['import', 'people', join(dir, 'people.csv'), '--map', join(dir, 'map.json')], {
      env: { ...env, CIOC_HOME: home },
    });
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stderr)).toEqual({
      error: {
        type: 'validation',
        message: '--map names the column "Plna", which the file does not have (columns: id, Plan)',
        hint: 'Did you mean "Plan"?',
      },
    });
    const missing = await cioc(['import', 'people', join(dir, 'nope.csv')], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No such file');
    expect(missing.stderr).not.toContain('    at ');
  });

  it('a wrong URL (404 for the whole request) writes nothing off: incomplete, exit 5, the error named; the next run sends every row', async () => {
    const { file, env } = setup(50);
    const wrong = await cioc(['import', 'events', file], {
      env: { ...env, CIOC_EMULATOR_URL: `${url}/wrong` },
    });
    expect(wrong.code).toBe(5);
    const summary = JSON.parse(wrong.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ status: 'incomplete', sent: 0, rejected: 0, acknowledgedThrough: 0 });
    expect(summary['reason']).toMatch(/refused as a whole \(HTTP 404/);
    expect(emulator.state.events).toHaveLength(0);
    const right = await cioc(['import', 'events', file], { env });
    expect(right.code).toBe(0);
    expect(JSON.parse(right.stdout)).toMatchObject({ status: 'completed', sent: 50, rejected: 0 });
    expect(emulator.state.events).toHaveLength(50);
  });

  it.skipIf(!hasTmux)(
    'on a terminal: a live progress bar, Ctrl-C stops cleanly, then a readable summary',
    async () => {
      const { file, env } = setup(20_000);
      emulator.faults.add({ method: 'POST', path: '/api/v2/batch', delay_ms: 60, times: 1_000_000 });
      const term = terminal(['import', 'events', file, '--max-batch-bytes', '8000'], env);
      try {
        const screen = await term.waitFor('rows/s', 15_000);
        expect(screen).toMatch(/[█░]+ +\d+(\.\d)?% +[\d,]+ rows +[\d.]+ KB \/ [\d.]+ (KB|MB)/);
        expect(screen).toMatch(/sent [\d,]+ · rejected 0 · retrying 0/);
        term.keys('C-c');
        const end = await term.waitFor('[exit 130]', 15_000);
        expect(end).toContain('Stopping after the requests in flight');
        expect(end).toMatch(/Stopped .*events\.ndjson: [\d,]+ rows read/);
        expect(end).toContain('run the same command again to resume after it');
        expect(end).not.toContain('{"status"');
      } finally {
        term.close();
      }
    },
  );
});
