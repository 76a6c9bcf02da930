/**
 * Per-call overhead: `track.create_or_update_customer` through our client vs a bare undici
 * request with exactly the same bytes, interleaved call by call against the same emulator.
 * Usage: overhead.ts <emulator-url> <calls>
 */
import { Agent, request } from 'undici';
import { createClient } from '../src/client.js';
import { percentile, SITE_ID, TRACK_KEY } from './support.js';

const [url = '', callsText = '3000'] = process.argv.slice(2);
const calls = Number(callsText);

// Client-side rate limiting is off here: this measures the cost of a call, not the 100/s budget.
const client = createClient({
  connector: 'track',
  region: 'emulator',
  emulatorUrl: url,
  credentials: { siteId: SITE_ID, apiKey: TRACK_KEY },
  rateLimits: false,
});
const agent = new Agent({ connections: 32, keepAliveTimeout: 30_000 });
const input = (i: number) => ({
  identifier: `bench-${String(i % 500)}`,
  email: `bench${String(i % 500)}@example.com`,
  attributes: { plan: 'pro', seats: i % 50 },
});

async function ours(i: number): Promise<number> {
  const started = performance.now();
  await client.createOrUpdateCustomer(input(i));
  return performance.now() - started;
}

async function bare(i: number): Promise<number> {
  // The same request, prepared ahead of the clock: method, URL, headers and body bytes.
  const { request: prepared } = client.prepare('track.create_or_update_customer', input(i));
  const started = performance.now();
  const response = await request(prepared.url, {
    method: 'PUT',
    // The authorization header is not enumerable (it never prints): added back, as the transport does.
    headers: { ...prepared.headers, authorization: prepared.headers['authorization'] ?? '' },
    body: prepared.body ?? null,
    dispatcher: agent,
  });
  await response.body.text();
  if (response.statusCode !== 200) throw new Error(`bare request failed: ${String(response.statusCode)}`);
  return performance.now() - started;
}

// Warm up both paths (JIT, connections, schema compilation).
for (let i = 0; i < 300; i++) {
  await ours(i);
  await bare(i);
}
const oursMs: number[] = [];
const bareMs: number[] = [];
for (let i = 0; i < calls; i++) {
  if (i % 2 === 0) {
    oursMs.push(await ours(i));
    bareMs.push(await bare(i));
  } else {
    bareMs.push(await bare(i));
    oursMs.push(await ours(i));
  }
}
oursMs.sort((a, b) => a - b);
bareMs.sort((a, b) => a - b);
await client.close();
await agent.close();
console.log(
  JSON.stringify({
    calls,
    ours: { p50: percentile(oursMs, 50), p99: percentile(oursMs, 99) },
    bare: { p50: percentile(bareMs, 50), p99: percentile(bareMs, 99) },
  }),
);
