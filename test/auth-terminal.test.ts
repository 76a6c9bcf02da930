/** `cioc auth` for a person: listing creates nothing; deleting asks first on a terminal. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cioc, freshHome } from './support/cli.js';
import { CREDENTIALS } from './support/emulator.js';
import { hasTmux, terminal } from './support/tmux.js';

async function createApp(home: string, name: string): Promise<void> {
  const created = await cioc(
    ['auth', 'create', '--name', name, '--connector', 'app', '--region', 'emulator', '--api-key-stdin'],
    { env: { CIOC_HOME: home, CIOC_USER: 'carol' }, stdin: CREDENTIALS.app.apiKey },
  );
  expect(created.code, created.stderr).toBe(0);
}

describe('auth list', () => {
  it('without a store says so and creates none', async () => {
    const home = freshHome();
    const listed = await cioc(['auth', 'list'], { env: { CIOC_HOME: home } });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('No authentications yet');
    expect(existsSync(home)).toBe(false);
    const json = await cioc(['auth', 'list', '--json'], { env: { CIOC_HOME: home } });
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(existsSync(home)).toBe(false);
  });
});

describe.runIf(hasTmux)('auth delete on a terminal', () => {
  it('asks first: anything but y keeps it (exit 1), y deletes it; --yes does not ask', async () => {
    const home = freshHome();
    await createApp(home, 'keep-me');
    const env = { CIOC_HOME: home, CIOC_USER: 'carol' };
    const no = terminal(['auth', 'delete', 'keep-me'], env);
    try {
      await no.waitFor('Delete the personal app authentication "keep-me"? (y/N):');
      no.keys('n', 'Enter');
      const screen = await no.waitFor('[exit 1]');
      expect(screen).toContain('Not deleted: "keep-me" was kept');
    } finally {
      no.close();
    }
    expect((await cioc(['auth', 'show', 'keep-me'], { env })).code).toBe(0);
    const yes = terminal(['auth', 'delete', 'keep-me'], env);
    try {
      await yes.waitFor('(y/N):');
      yes.keys('y', 'Enter');
      expect(await yes.waitFor('[exit 0]')).toContain('"deleted": "keep-me"');
    } finally {
      yes.close();
    }
    await createApp(home, 'quick');
    const skip = terminal(['auth', 'delete', 'quick', '--yes'], env);
    try {
      const screen = await skip.waitFor('[exit 0]');
      expect(screen).not.toContain('(y/N)');
      expect(screen).toContain('"deleted": "quick"');
    } finally {
      skip.close();
    }
  });
});
