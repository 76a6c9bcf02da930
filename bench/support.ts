/** Shared pieces of the benchmark scripts: the emulator as a child process, and result I/O. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CIOC = resolve(ROOT, 'bin/cioc.js');
export const SITE_ID = 'emulator-site-id';
export const TRACK_KEY = 'emulator-track-key';

/** The two-step example, from the one copy the docs and the CLI tests use. */
export function welcomeWorkflow(): Record<string, unknown> & { name: string } {
  return JSON.parse(readFileSync(resolve(ROOT, 'docs/examples/welcome.workflow.json'), 'utf8')) as Record<
    string,
    unknown
  > & { name: string };
}

export interface RunningEmulator {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `cioc emulator` in its own process (so it does not share our CPU time or heap); `cioc`
 * may name another build's `bin/cioc.js` (to compare against a build of main).
 */
export async function startEmulator(args: string[] = [], cioc: string = CIOC): Promise<RunningEmulator> {
  return startServer([cioc, 'emulator', '--port', '0', ...args]);
}

/** Starts the no-op sink (`bench/sink.ts`) in its own process. */
export async function startSink(): Promise<RunningEmulator> {
  return startServer(['--import', 'tsx', resolve(ROOT, 'bench/sink.ts')]);
}

/** The CPU time (user + system, µs) a process has used so far (Linux `/proc`). */
export function cpuMicrosOf(pid: number): number {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return (ticks * 1_000_000) / CLOCK_TICKS;
}
/** `getconf CLK_TCK`: 100 on every Linux Node supports. */
const CLOCK_TICKS = 100;

/** Servers started by this process: stopped when it exits, whatever happens. */
const servers = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of servers) child.kill('SIGTERM');
});

async function startServer(args: string[]): Promise<RunningEmulator> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  servers.add(child);
  child.once('exit', () => servers.delete(child));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1] !== undefined) resolveUrl(match[1]);
    });
    child.on('exit', (code) => {
      reject(new Error(`emulator exited with ${String(code)}`));
    });
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => {
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Runs a contender script in a fresh process and returns the JSON it prints last. */
export function runContender<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'bench', script), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: ROOT,
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`${script} exited with ${String(code)}: ${out}`));
      else resolveResult(JSON.parse(last) as T);
    });
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function rssNowMb(): number {
  return Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10;
}

export function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/** The same synthetic event for both contenders. */
export function eventFor(i: number): { customerId: string; name: string; data: Record<string, unknown> } {
  return {
    customerId: `user-${String(i % 5000)}`,
    name: 'purchase',
    data: { price: (i % 97) + 0.99, sku: `sku-${String(i % 300)}`, n: i },
  };
}
