/** Runs the real `cioc` on a real terminal (tmux) and reads the screen. CI installs tmux (.ci/run). */
import { execFileSync, spawnSync } from 'node:child_process';
import { BIN, freshHome } from './cli.js';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let sessions = 0;

export interface Terminal {
  /** Waits until the screen shows `text` (or `timeoutMs` passes) and returns the screen. */
  waitFor(text: string, timeoutMs?: number): Promise<string>;
  screen(): string;
  keys(...keys: string[]): void;
  close(): void;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `cioc ARGS` in a fresh 120×40 tmux session; prints `[exit N]` when the command ends. */
export function terminal(args: string[], env: Record<string, string> = {}): Terminal {
  const session = `cioc-${String(process.pid)}-${String(++sessions)}`;
  const tmux = (...a: string[]) => execFileSync('tmux', a, { encoding: 'utf8' });
  const vars = Object.entries({ CIOC_HOME: freshHome(), ...env })
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(' ');
  const command = `env ${vars} ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}; echo "[exit $?]"; sleep 30`;
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', command);
  const screen = () => tmux('capture-pane', '-t', session, '-p', '-S', '-200');
  return {
    screen,
    async waitFor(text, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const shown = screen();
        if (shown.includes(text)) return shown;
        await sleep(50);
      }
      throw new Error(`"${text}" never appeared:\n${screen()}`);
    },
    keys(...keys) {
      tmux('send-keys', '-t', session, ...keys);
    },
    close() {
      spawnSync('tmux', ['kill-session', '-t', session]);
    },
  };
}
