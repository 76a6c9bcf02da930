/**
 * `cioc auth create` on a real terminal (tmux): it asks for what is missing and never echoes the
 * key. CI installs tmux (.ci/run).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AuthStore } from '../src/store/auth-store.js';
import { BIN, freshHome } from './support/cli.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(hasTmux)('interactive auth create', () => {
  it('prompts for name, connector and credentials, reading the key without echo', async () => {
    const home = freshHome();
    const session = `cioc-${String(process.pid)}`;
    const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '160',
      '-y',
      '30',
      `CIOC_HOME=${home} CIOC_USER=carol ${process.execPath} ${BIN} auth create; sleep 5`,
    );
    try {
      const screen = async (waitFor: string): Promise<string> => {
        for (let i = 0; i < 50; i++) {
          const text = tmux('capture-pane', '-t', session, '-p');
          if (text.includes(waitFor)) return text;
          await sleep(100);
        }
        throw new Error(`"${waitFor}" never appeared:\n${tmux('capture-pane', '-t', session, '-p')}`);
      };
      await screen('Name (e.g. prod-track):');
      tmux('send-keys', '-t', session, 'term-track', 'Enter');
      await screen('Connector (track, app, beta) [track]:');
      tmux('send-keys', '-t', session, 'Enter'); // the default: track
      await screen('Site ID:');
      tmux('send-keys', '-t', session, 'site-31', 'Enter');
      await screen('Track API key:');
      tmux('send-keys', '-t', session, 'typed-secret-key-8642', 'Enter');
      const final = await screen('"name": "term-track"');
      expect(final).not.toContain('typed-secret-key-8642');
      expect(final).toContain('"key": "…8642"');
    } finally {
      spawnSync('tmux', ['kill-session', '-t', session]);
    }
    const store = AuthStore.open({ home, user: 'carol', env: {} });
    expect(store.resolve('term-track').credentials).toEqual({
      siteId: 'site-31',
      apiKey: 'typed-secret-key-8642',
    });
    store.close();
  });
});
