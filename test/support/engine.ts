/** A real engine over a real SQLite store in a fresh CIOC_HOME, with authentications on the emulator. */
import { afterAll } from 'vitest';
import { createEngine, type Engine, type EngineOptions } from '../../src/engine/engine.js';
import { authStoreResolver } from '../../src/engine/authentications.js';
import { AuthStore } from '../../src/store/auth-store.js';
import { WorkflowStore } from '../../src/store/workflow-store.js';
import { freshHome } from './cli.js';
import { CREDENTIALS } from './emulator.js';

export interface EngineHarness {
  engine: Engine;
  store: WorkflowStore;
  auth: AuthStore;
  home: string;
  ownerId: number;
}

export function useEngine(
  url: string,
  user = 'a@example.com',
  options: Partial<EngineOptions> = {},
): EngineHarness {
  const home = freshHome();
  const auth = AuthStore.open({ home, user, env: {} });
  auth.create({
    name: 'Emulator Track',
    connector: 'track',
    region: 'emulator',
    credentials: { siteId: CREDENTIALS.track.siteId, apiKey: CREDENTIALS.track.apiKey },
  });
  auth.create({ name: 'Emulator App', connector: 'app', region: 'emulator', credentials: CREDENTIALS.app });
  const store = new WorkflowStore(auth.database);
  const engine = createEngine({
    store,
    authentications: authStoreResolver(auth),
    client: { emulatorUrl: url, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
    ...options,
  });
  afterAll(async () => {
    await engine.close();
    auth.close();
  });
  return { engine, store, auth, home, ownerId: auth.userId };
}
