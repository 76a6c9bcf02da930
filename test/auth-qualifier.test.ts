/**
 * A Personal and an Organisational authentication with the same name are both reachable from
 * the CLI: `--auth personal:NAME` / `organisational:NAME`, shown that way by `auth list`, offered
 * by completion, and suggested when the bare name picks the wrong one.
 */
import { describe, expect, it } from 'vitest';
import { cioc, freshHome } from './support/cli.js';
import { CREDENTIALS, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();

async function setUp(): Promise<Record<string, string>> {
  const env = { CIOC_HOME: freshHome(), CIOC_USER: 'carol', CIOC_EMULATOR_URL: url };
  const common = ['auth', 'create', '--name', 'prod', '--region', 'emulator', '--api-key-stdin'];
  const track = await cioc([...common, '--connector', 'track', '--site-id', CREDENTIALS.track.siteId], {
    env,
    stdin: CREDENTIALS.track.apiKey,
  });
  expect(track.code, track.stderr).toBe(0);
  const app = await cioc([...common, '--connector', 'app', '--scope', 'organisational'], {
    env,
    stdin: CREDENTIALS.app.apiKey,
  });
  expect(app.code, app.stderr).toBe(0);
  return env;
}

describe('--auth with a scope qualifier', () => {
  it('reaches both authentications of one name, and says which to use when the bare name does not fit', async () => {
    const env = await setUp();
    const bare = await cioc(['app', 'list-segments', '--auth', 'prod'], { env });
    expect(bare.code).toBe(3);
    expect(JSON.parse(bare.stderr)).toEqual({
      error: {
        type: 'config',
        message: 'The authentication "prod" is for the track connector, not app.',
        hint: 'Use --auth organisational:prod',
      },
    });
    const app = await cioc(['app', 'list-segments', '--auth', 'organisational:prod'], { env });
    expect(app.code, app.stderr).toBe(0);
    const track = await cioc(
      ['track', 'create-or-update-customer', '--auth', 'personal:prod', '--identifier', '7'],
      { env },
    );
    expect(track.code, track.stderr).toBe(0);
    expect(emulator.state.people.map((p) => p.id)).toEqual(['7']);
    const dry = await cioc(['app', 'list-segments', '--auth', 'organisational:prod', '--dry-run'], { env });
    expect(JSON.parse(dry.stdout)).toMatchObject({
      credentials_from: 'authentication "prod" (organisational, owner carol; --auth)',
    });
  });

  it('auth list shows the scope and the qualified names; auth show takes them; completion offers them', async () => {
    const env = await setUp();
    const listed = await cioc(['auth', 'list'], { env });
    expect(listed.stdout).toMatch(/^organisational:prod +app +organisational +emulator/m);
    expect(listed.stdout).toMatch(/^personal:prod +track +personal +emulator/m);
    expect(listed.stdout).toContain('personal:NAME / organisational:NAME pick one of two that share a name');
    const json = JSON.parse((await cioc(['auth', 'list', '--json'], { env })).stdout) as {
      reference: string;
      scope: string;
    }[];
    expect(json.map((a) => [a.reference, a.scope])).toEqual([
      ['organisational:prod', 'organisational'],
      ['personal:prod', 'personal'],
    ]);
    const shown = await cioc(['auth', 'show', 'organisational:prod'], { env });
    expect(JSON.parse(shown.stdout)).toMatchObject({
      name: 'prod',
      connector: 'app',
      scope: 'organisational',
    });
    const complete = async (...words: string[]) =>
      (await cioc(['__complete', '--', ...words], { env })).stdout.trim().split('\n');
    // Only the command's connector's, by the reference that picks it.
    expect(await complete('app', 'list-segments', '--auth', '')).toEqual(['organisational:prod']);
    expect(await complete('track', 'delete-customer', '--auth', '')).toEqual(['prod', 'personal:prod']);
    expect(await complete('run', 'app.list_segments', '--auth', '')).toEqual(['organisational:prod']);
    expect(await complete('auth', 'show', '')).toEqual(['prod', 'personal:prod', 'organisational:prod']);
  });
});
