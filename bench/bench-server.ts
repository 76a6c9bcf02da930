/**
 * An in-process `cioc serve` for the benches that measure it (webhook, console). Kept apart from
 * support.ts so the senders' processes, whose memory is measured, never load the server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type ServerOptions } from '../src/server/server.js';
import { SITE_ID, TRACK_KEY } from './support.js';

export const BENCH_USER = { email: 'bench@example.com', password: 'bench password 123' };

/**
 * `cioc serve` in this process over a fresh CIOC_HOME, with a user and its "Emulator Track"
 * authentication pointing at the emulator: what the webhook and console benches start from.
 */
export async function benchServer(
  emulatorUrl: string,
  options: Partial<ServerOptions> = {},
): Promise<{ server: Server; origin: string; userId: number }> {
  const home = join(mkdtempSync(join(tmpdir(), 'cioc-bench-')), 'home');
  const server = await createServer({ home, env: {}, emulatorUrl, warn: () => undefined, ...options });
  const origin = await server.listen({ port: 0 });
  const user = await server.services.accounts.createUser(BENCH_USER);
  server.services.authFor(user.id).create({
    name: 'Emulator Track',
    connector: 'track',
    region: 'emulator',
    credentials: { siteId: SITE_ID, apiKey: TRACK_KEY },
  });
  return { server, origin, userId: user.id };
}
