/** The library for a developer: clear configuration errors, fromEnv(), every problem in one round. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/client.js';
import { ConfigError, ConnectionError, ValidationError } from '../src/errors.js';
import { fromEnv } from '../src/from-env.js';
import { cioc } from './support/cli.js';
import { CREDENTIALS, emulatorEnv, useEmulator } from './support/emulator.js';

const { emulator, url } = await useEmulator();

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('configuration errors', () => {
  it('no credentials: a ConfigError naming the option, without CLI flags or variables it does not read', () => {
    const attempt = () => createClient({ connector: 'app' } as never);
    expect(attempt).toThrow(ConfigError);
    const error = (() => {
      try {
        attempt();
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('did not throw');
    })();
    expect(error.message).toBe('The Customer.io App connector needs credentials.apiKey (the App API key).');
    expect(error.hint).toContain("createClient({ connector: 'app', credentials: { apiKey } })");
    expect(error.hint).toContain("fromEnv('app')");
    expect(`${error.message} ${error.hint ?? ''}`).not.toMatch(/--[a-z]/);
    expect(() => createClient({ connector: 'track', credentials: { apiKey: 'k' } })).toThrow(
      'The Customer.io Track connector needs credentials.siteId (the Site ID).',
    );
  });

  it('an unknown operation id is a library error in library words; the CLI adds its own hint', async () => {
    const app = createClient({
      connector: 'app',
      credentials: CREDENTIALS.app,
      region: 'emulator',
      emulatorUrl: url,
    });
    const error = await app.runUntyped('app.nope', {}).then(
      () => undefined,
      (e: unknown) => e as ValidationError,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.message).toBe('Unknown operation "app.nope"; listOperations() lists them all');
    expect(`${error?.message ?? ''} ${error?.hint ?? ''}`).not.toContain('cioc');
    await app.close();
    const cli = await cioc(['run', 'app.nope', '--input', '{}']);
    expect(cli.code).toBe(2);
    expect(JSON.parse(cli.stderr)).toMatchObject({
      error: { hint: '`cioc ops` lists them all (`cioc ops --search <words>` to filter).' },
    });
  });

  it('fromEnv() reads the documented CIOC_* variables, CIOC_EMULATOR_URL included', async () => {
    const options = fromEnv('track', emulatorEnv(url));
    expect(options).toMatchObject({ connector: 'track', region: 'emulator', emulatorUrl: url });
    const track = createClient({ ...options, rateLimits: false });
    await track.createOrUpdateCustomer({ identifier: 'env-1' });
    expect(emulator.state.people.map((p) => p.id)).toEqual(['env-1']);
    await track.close();
    expect(() => fromEnv('app', {})).toThrow(
      "fromEnv('app'): CIOC_APP_API_KEY (the App API key) is not set.",
    );
    expect(() => fromEnv('app', { CIOC_APP_API_KEY: 'k', CIOC_REGION: 'mars' })).toThrow(
      'CIOC_REGION is "mars": use us, eu or emulator.',
    );
  });

  it('a refused connection in the emulator region asks whether the emulator is running', async () => {
    const port = await closedPort();
    const app = createClient({
      connector: 'app',
      region: 'emulator',
      emulatorUrl: `http://127.0.0.1:${String(port)}`,
      credentials: CREDENTIALS.app,
      retry: false,
    });
    const error = await app.listSegments({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).hint).toBe(
      `Is the emulator running at http://127.0.0.1:${String(port)}/v1? Start it with \`cioc emulator\` (or createEmulator() from customerio-connectors/emulator).`,
    );
    await app.close();
  });
});

describe('validation', () => {
  it('reports every problem in one round, in our own words', () => {
    const track = createClient({ connector: 'track', credentials: CREDENTIALS.track, region: 'emulator' });
    let error: unknown;
    try {
      track.prepare('track.track_custom_event', { identifier: '', name: 'x'.repeat(200) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      { path: '/identifier', message: 'must not be empty' },
      { path: '/name', message: 'must be at most 100 bytes (UTF-8)' },
    ]);
  });
});
