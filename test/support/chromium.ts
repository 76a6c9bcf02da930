/**
 * The console in a real browser: Debian's Chromium driven by playwright-core (never a downloaded
 * browser), against a real `cioc serve --emulator` child process with its own CIOC_HOME.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freshHome } from './cli.js';

export const CHROMIUM = process.env['CIOC_CHROMIUM'] ?? '/usr/bin/chromium';
const ROOT = resolve(import.meta.dirname, '../..');
/** Screenshots the tests take; the best are copied to docs/screenshots/ by hand. */
export const SCREENSHOTS = join(ROOT, '.artifacts', 'screenshots');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's chromium package (.ci/run does), or set CIOC_CHROMIUM`,
    );
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

export interface RunningConsole {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  emulatorUrl: string;
  home: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `cioc serve --emulator` on free ports and waits for both addresses to be printed. */
export async function startConsole(env: NodeJS.ProcessEnv = {}): Promise<RunningConsole> {
  const home = freshHome();
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'bin/cioc.js'), 'serve', '--emulator', '--port', '0', '--emulator-port', '0'],
    {
      env: { ...process.env, CIOC_HOME: home, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const urls = await new Promise<{ url: string; emulatorUrl: string }>((done, fail) => {
    const timer = setTimeout(() => {
      fail(new Error(`cioc serve --emulator printed no addresses in 30 s:\n${out}`));
    }, 30_000);
    const look = () => {
      const consoleUrl = /Console\s+(http:\/\/\S+?)\/?\s/.exec(out)?.[1];
      const emulatorUrl = /Emulator\s+(http:\/\/\S+?)\/?\s/.exec(out)?.[1];
      if (consoleUrl !== undefined && emulatorUrl !== undefined) {
        clearTimeout(timer);
        done({ url: consoleUrl, emulatorUrl });
      }
    };
    child.stdout?.on('data', look);
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`cioc serve --emulator exited with ${String(code)}:\n${out}`));
    });
  });
  return {
    ...urls,
    home,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does not
 * govern): the serious and critical violations, with the elements they concern.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe;
    return (await axe.run()) as {
      violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
    };
  });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
}
