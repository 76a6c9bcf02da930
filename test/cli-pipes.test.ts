/**
 * `cioc … | head`: a reader that goes away ends the command quietly (no stack trace, exit 141 like a
 * program ended by SIGPIPE), and `--all` stops fetching pages nobody will read.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { BIN, freshHome } from './support/cli.js';
import { CREDENTIALS, emulatorEnv, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();

interface PipeResult {
  /** cioc's own exit status (PIPESTATUS[0]), not head's. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `cioc ARGS | head HEAD_ARGS` in a real shell; async, so the in-process emulator can answer. */
function pipeToHead(
  args: string[],
  headArgs: string[],
  env: Record<string, string> = {},
): Promise<PipeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cioc-pipe-'));
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = `${[process.execPath, BIN, ...args].map(quote).join(' ')} 2>${quote(join(dir, 'err'))} | head ${headArgs.map(quote).join(' ')}; echo "\${PIPESTATUS[0]}" >${quote(join(dir, 'rc'))}`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      env: { PATH: process.env['PATH'] ?? '', CIOC_HOME: freshHome(), ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      resolve({
        code: Number(readFileSync(join(dir, 'rc'), 'utf8').trim()),
        stdout,
        stderr: readFileSync(join(dir, 'err'), 'utf8'),
      });
    });
  });
}

describe('output into a closed pipe', () => {
  it('help into a reader that has already gone: no stack trace, exit 141', async () => {
    // `head -n 0` exits without reading, before cioc has started: every write meets EPIPE.
    const result = await pipeToHead(['track', 'send-batch', '--help'], ['-n', '0']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(141);
    const ops = await pipeToHead(['ops'], ['-n', '0']);
    expect(ops.stderr).toBe('');
    expect(ops.code).toBe(141);
  });

  it('--all into head -1: one line, nothing on stderr, and no further pages are fetched', async () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `p${String(i)}`);
    for (const id of ids) emulator.state.identify(id, { email: `${id}@example.com` });
    const track = createClient({
      connector: 'track',
      credentials: CREDENTIALS.track,
      region: 'emulator',
      emulatorUrl: url,
      rateLimits: false,
    });
    for (let from = 0; from < ids.length; from += 1000)
      await track.run('track.add_customers_to_segment', { segment_id: 1, ids: ids.slice(from, from + 1000) });
    await track.close();
    emulator.requests.length = 0;

    const result = await pipeToHead(
      ['app', 'list-customers-in-segment', '--segment-id', '1', '--limit', '100', '--all'],
      ['-1'],
      emulatorEnv(url),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(141);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(result.stdout)).toHaveProperty('cio_id');
    const pages = emulator.requests.filter((r) => r.path === '/v1/segments/1/membership').length;
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThan(30);
  });
});
