/** Starts the real emulator in-process on an ephemeral loopback port. */
import { afterAll, beforeEach } from 'vitest';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { DEFAULT_WORKSPACE } from '../../src/emulator/model/workspace.js';

export const CREDENTIALS = {
  track: { siteId: DEFAULT_WORKSPACE.siteId, apiKey: DEFAULT_WORKSPACE.trackApiKey },
  app: { apiKey: DEFAULT_WORKSPACE.appApiKey },
} as const;

export interface RunningEmulator {
  emulator: Emulator;
  url: string;
}

/** One emulator per test file, reset before every test. */
export async function useEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = createEmulator(options);
  const url = await emulator.listen({ port: 0, host: '127.0.0.1' });
  beforeEach(() => {
    emulator.state.reset();
    emulator.faults.clear();
    emulator.requests.length = 0;
    emulator.rateLimiter.reset();
    emulator.webhookSender.log.length = 0;
  });
  afterAll(async () => {
    await emulator.close();
  });
  return { emulator, url };
}

/** The environment that points the `cioc` binary at an emulator with its default credentials. */
export function emulatorEnv(url: string): Record<string, string> {
  return {
    CIOC_REGION: 'emulator',
    CIOC_EMULATOR_URL: url,
    CIOC_SITE_ID: CREDENTIALS.track.siteId,
    CIOC_TRACK_API_KEY: CREDENTIALS.track.apiKey,
    CIOC_APP_API_KEY: CREDENTIALS.app.apiKey,
  };
}
