/**
 * Start-up cost, hyperfine-style: each command is run `pairs` times, each run paired with a
 * `node -e 0` run right before it (the order alternating), and the ratio of the medians reported,
 * with the median of the paired ratios. Also the peak RSS of `import()` of the library against a
 * bare Node script. Usage: startup.ts [pairs]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CIOC, ROOT } from './support.js';

const pairs = Number(process.argv[2] ?? 10);
// An empty CIOC_HOME: no store, no authentications (what a first run sees).
const home = mkdtempSync(join(tmpdir(), 'cioc-startup-'));
const env = { ...process.env, CIOC_HOME: home, NO_COLOR: '1' };
const LIBRARY = resolve(ROOT, 'dist/index.js');

interface Command {
  name: string;
  args: string[];
}
const only = process.env['STARTUP_ONLY'];
const allCommands: Command[] = [
  { name: 'cioc --help', args: [CIOC, '--help'] },
  { name: 'completion (cioc __complete -- tr)', args: [CIOC, '__complete', '--', 'tr'] },
  {
    name: 'completion of an operation (cioc __complete -- track cr)',
    args: [CIOC, '__complete', '--', 'track', 'cr'],
  },
  {
    name: 'completion of a flag value (cioc __complete -- app raw-http-request --method "")',
    args: [CIOC, '__complete', '--', 'app', 'raw-http-request', '--method', ''],
  },
  { name: 'cioc ops', args: [CIOC, 'ops'] },
  {
    name: 'a Track dry-run',
    args: [
      CIOC,
      'track',
      'track-custom-event',
      '--identifier',
      '42',
      '--name',
      'purchase',
      '--site-id',
      'site',
      '--api-key',
      'key',
      '--dry-run',
    ],
  },
  {
    // App has 113 operation commands: only the one named is built (issue #13's review).
    name: 'an App dry-run',
    args: [CIOC, 'app', 'get-segment', '--segment-id', '4', '--api-key', 'key', '--dry-run'],
  },
  {
    name: 'import() of the library',
    args: ['--input-type=module', '-e', `await import(${JSON.stringify(LIBRARY)})`],
  },
];

/** `STARTUP_ONLY=App` runs only the rows whose name contains it (a quick look at one). */
const commands = only === undefined ? allCommands : allCommands.filter((c) => c.name.includes(only));

function timeOf(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0)
    throw new Error(`${args.join(' ')} exited ${String(result.status)}: ${String(result.stderr)}`);
  return ms;
}

const median = (values: readonly number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};

function peakRssKb(code: string): number {
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `${code}; process.stdout.write(String(process.resourceUsage().maxRSS));`],
    { env, encoding: 'utf8' },
  );
  return Number(result.stdout);
}

// Warm the file cache once.
timeOf(['-e', '0']);
for (const c of commands) timeOf(c.args);

const rows = commands.map((c) => {
  const bare: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < pairs; i++) {
    let b: number;
    let o: number;
    if (i % 2 === 0) {
      b = timeOf(['-e', '0']);
      o = timeOf(c.args);
    } else {
      o = timeOf(c.args);
      b = timeOf(['-e', '0']);
    }
    bare.push(b);
    ours.push(o);
    ratios.push(o / b);
  }
  return { name: c.name, oursMs: median(ours), bareMs: median(bare), ratio: median(ratios) };
});

const rss = [0, 1, 2].map(() => ({
  library: peakRssKb(`await import(${JSON.stringify(LIBRARY)})`),
  bare: peakRssKb('0'),
}));
const libraryRssMb = median(rss.map((r) => r.library)) / 1024;
const bareRssMb = median(rss.map((r) => r.bare)) / 1024;

console.log(JSON.stringify({ pairs, rows, libraryRssMb, bareRssMb }));
